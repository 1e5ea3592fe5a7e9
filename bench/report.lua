-- Prints one JSON line with throughput, latency percentiles (ms) and errors for bench.py; the
-- errors also by kind (wrk's own: connect, read, write, timeout (2 s), status = not 2xx/3xx).
done = function(summary, latency, requests)
  local e = summary.errors
  local errors = e.connect + e.read + e.write + e.status + e.timeout
  io.write(string.format(
    'JSON {"rps": %.2f, "p50": %.2f, "p95": %.2f, "p99": %.2f, "errors": %d, "requests": %d, '
    .. '"kinds": {"connect": %d, "read": %d, "write": %d, "timeout": %d, "status": %d}}\n',
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
    latency:percentile(95) / 1000, latency:percentile(99) / 1000, errors, summary.requests,
    e.connect, e.read, e.write, e.timeout, e.status))
end

-- POST /proposals/<id>/support as logged-in bench citizens, round robin, random open proposals.
-- BENCH_SESSIONS names a Lua file defining `sessions = {{cookie = ..., token = ...}, ...}`.
dofile(os.getenv("BENCH_SESSIONS"))
local proposals = tonumber(os.getenv("BENCH_PROPOSALS") or "20000")
local counter = 0
-- BENCH_ACCEPT=application/json sends the support as the page's script does (a JSON answer).
local accept = os.getenv("BENCH_ACCEPT") or "text/html"
-- The browser the citizens logged in with (bench.py's USER_AGENT): wrk.format does not add
-- the -H headers when given headers of its own.
local user_agent = os.getenv("BENCH_USER_AGENT") or "engage-bench/1"

-- Each wrk thread has a Lua state of its own with the same random seed: unseeded, both threads
-- sent the same citizens for the same proposals, and every run the same ones as the last, so
-- that half of all presses met a support already given.
local threads = 0
setup = function(thread)
  threads = threads + 1
  thread:set("thread_number", threads)
end

init = function(args)
  math.randomseed(os.time() * 64 + (thread_number or 0))
  counter = thread_number or 0
end

request = function()
  counter = counter + 1
  local s = sessions[(counter % #sessions) + 1]
  -- The benchmark city's proposals with id % 11 in 0..7 are open for support.
  local id = math.random(0, math.floor(proposals / 11) - 1) * 11 + math.random(0, 7)
  if id < 1 then id = 11 end
  -- The page's "Support" button (intent=support): a press on a proposal the citizen supports
  -- already keeps the support, as the button does on a page opened before.
  return wrk.format("POST", "/proposals/" .. id .. "/support",
    {["Cookie"] = s.cookie, ["Content-Type"] = "application/x-www-form-urlencoded",
     ["Accept"] = accept, ["User-Agent"] = user_agent},
    "csrf_token=" .. s.token .. "&intent=support")
end

dofile(os.getenv("BENCH_REPORT"))

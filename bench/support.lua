-- POST /proposals/<id>/support as logged-in bench citizens, round robin, random open proposals.
-- BENCH_SESSIONS names a Lua file defining `sessions = {{cookie = ..., token = ...}, ...}`.
dofile(os.getenv("BENCH_SESSIONS"))
local proposals = tonumber(os.getenv("BENCH_PROPOSALS") or "20000")
local counter = 0
-- BENCH_ACCEPT=application/json sends the support as the page's script does (a JSON answer).
local accept = os.getenv("BENCH_ACCEPT") or "text/html"

request = function()
  counter = counter + 1
  local s = sessions[(counter % #sessions) + 1]
  -- The benchmark city's proposals with id % 11 in 0..7 are open for support.
  local id = math.random(0, math.floor(proposals / 11) - 1) * 11 + math.random(0, 7)
  if id < 1 then id = 11 end
  return wrk.format("POST", "/proposals/" .. id .. "/support",
    {["Cookie"] = s.cookie, ["Content-Type"] = "application/x-www-form-urlencoded",
     ["Accept"] = accept},
    "csrf_token=" .. s.token)
end

dofile(os.getenv("BENCH_REPORT"))

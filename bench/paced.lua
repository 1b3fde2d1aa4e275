-- Open-loop-ish load for latency at a fixed offered rate: every wrk thread sends RATE / threads requests per
-- second, spread evenly (wrk's delay() hook, millisecond granularity), instead of the next request the moment a
-- response arrives. A balancer that cannot keep up shows it in the achieved rate. Reports like wrk-report.lua.
--   RATE=20000 WRK_THREADS=2 wrk -t2 -c64 -d20s --latency -s bench/paced.lua http://127.0.0.1:8080/
-- (WRK_THREADS must repeat wrk's -t: each thread offers RATE / WRK_THREADS; bench/run.sh sets both.)
local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } paced_timespec;
int clock_gettime(int clock_id, paced_timespec *tp);
]]
local CLOCK_MONOTONIC = 1
local now = ffi.new("paced_timespec")

local function now_ms()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, now)
  return tonumber(now.tv_sec) * 1000 + tonumber(now.tv_nsec) / 1e6
end

local interval_ms, next_slot_ms
function init(args)
  local rate = tonumber(os.getenv("RATE") or "")
  if not rate or rate <= 0 then error("paced.lua: set RATE to the requests per second to offer") end
  interval_ms = 1000 / (rate / tonumber(os.getenv("WRK_THREADS") or "1"))
end

-- Each request takes the next free slot of its thread's schedule and waits for it. A schedule that fell more
-- than a second behind (the server stalled) restarts from now rather than firing a burst to catch up.
function delay()
  local t = now_ms()
  if not next_slot_ms or next_slot_ms < t - 1000 then next_slot_ms = t end
  local slot = next_slot_ms
  next_slot_ms = next_slot_ms + interval_ms
  local wait = slot - t
  if wait > 0 then return wait end
  return 0
end

local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "wrk-report.lua")

-- wrk script for bench/fault.sh and bench/soak.sh: counts responses by status (all threads) and, at the end,
-- prints one machine-readable RESULT line, including how many latency samples are at least SLOW_MS (env,
-- default 900 ms; the per-try timeout in the benchmark is 1 s and a healthy backend answers in ~5 ms). wrk's Lua
-- API exposes latency percentiles but not bucket counts, so that count is found by binary search over the rank.
-- It is NOT a count of requests: wrk corrects its histogram for coordinated omission before done() sees it
-- (each latency L adds samples at L - k * mean interval per connection), so one 1 s request adds ~160 samples.
-- Count slow requests at the balancer (timed-out tries), as docs/fault-tolerance.md does.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  statuses = {}
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

local function count_at_least(latency, n, threshold_us)
  if n == 0 or latency.max < threshold_us then return 0 end
  -- smallest rank r (1..n) whose latency >= threshold
  local lo, hi = 1, n
  while lo < hi do
    local mid = math.floor((lo + hi) / 2)
    local v = latency:percentile((mid - 0.5) * 100.0 / n)
    if v >= threshold_us then hi = mid else lo = mid + 1 end
  end
  return n - lo + 1
end

function done(summary, latency, requests)
  local agg = {}
  for _, t in ipairs(threads) do
    local s = t:get("statuses")
    for k, v in pairs(s) do agg[k] = (agg[k] or 0) + v end
  end
  local parts, ok, bad = {}, 0, 0
  for k, v in pairs(agg) do
    table.insert(parts, k .. "=" .. v)
    if k >= 200 and k < 300 then ok = ok + 1 * v else bad = bad + v end
  end
  table.sort(parts)
  local e = summary.errors
  local sock = e.connect + e.read + e.write + e.timeout
  local slow_ms = tonumber(os.getenv("SLOW_MS") or "900")
  local slow = count_at_least(latency, summary.requests, slow_ms * 1000)
  local tiers = {}
  for _, ms in ipairs({100, 300, 500, 900, 1100, 2000}) do
    table.insert(tiers, ms .. ":" .. count_at_least(latency, summary.requests, ms * 1000))
  end
  io.write(string.format(
    "RESULT requests=%d ok2xx=%d non2xx=%d socket_errors=%d (connect=%d read=%d write=%d timeout=%d) " ..
    "failed=%d p50_ms=%.2f p99_ms=%.2f max_ms=%.2f slow_ge_%dms=%d duration_s=%.1f statuses=%s ge_ms=%s\n",
    summary.requests, ok, bad, sock, e.connect, e.read, e.write, e.timeout,
    bad + sock, latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    slow_ms, slow, summary.duration / 1e6, table.concat(parts, ","), table.concat(tiers, ",")))
end

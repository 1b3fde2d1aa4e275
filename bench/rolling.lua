-- wrk script for bench/rolling.sh: counts responses by status, the balancer's own "no backend" 503s (this
-- balancer's, HAProxy's and NGINX's wording) and the 200s by the backend that served them (FaultBackend names its
-- port in the body). Prints one RESULT line at the end.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  statuses = {}
  served = {}
  nobackend = 0
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if status == 200 then
    local port = string.match(body, "^backend (%d+)")
    if port then served[port] = (served[port] or 0) + 1 end
  elseif status == 503 and (string.find(body, "no backend", 1, true) or string.find(body, "No server", 1, true)) then
    nobackend = nobackend + 1
  elseif status == 502 and string.find(body, "no live upstreams", 1, true) then
    nobackend = nobackend + 1
  end
end

local function merge(name)
  local agg = {}
  for _, t in ipairs(threads) do
    for k, v in pairs(t:get(name)) do agg[k] = (agg[k] or 0) + v end
  end
  return agg
end

function done(summary, latency, requests)
  local st, sv = merge("statuses"), merge("served")
  local nb = 0
  for _, t in ipairs(threads) do nb = nb + t:get("nobackend") end
  local ok, bad, parts, shares, total200 = 0, 0, {}, {}, 0
  for k, v in pairs(st) do
    table.insert(parts, k .. "=" .. v)
    if k >= 200 and k < 300 then ok = ok + v else bad = bad + v end
  end
  for _, v in pairs(sv) do total200 = total200 + v end
  for k, v in pairs(sv) do table.insert(shares, string.format("%s:%.1f%%", k, 100.0 * v / math.max(1, total200))) end
  table.sort(parts)
  table.sort(shares)
  local e = summary.errors
  local sock = e.connect + e.read + e.write + e.timeout
  io.write(string.format(
    "RESULT requests=%d ok2xx=%d failed=%d own_no_backend=%d socket_errors=%d p50_ms=%.2f p99_ms=%.2f " ..
    "max_ms=%.2f statuses=%s shares=%s\n",
    summary.requests, ok, bad + sock, nb, sock, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, table.concat(parts, ","), table.concat(shares, ",")))
end

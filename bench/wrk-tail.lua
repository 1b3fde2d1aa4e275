-- Prints the latency distribution of a wrk run in milliseconds, up to p99.9 and the maximum (bench/tail.sh).
done = function(summary, latency, requests)
  io.write(string.format("TAIL rps=%.0f", summary.requests / (summary.duration / 1e6)))
  for _, p in ipairs({50, 90, 95, 97, 98, 99, 99.5, 99.9}) do
    io.write(string.format(" p%s=%.2f", p, latency:percentile(p) / 1000))
  end
  io.write(string.format(" max=%.2f errors=%d\n", latency.max / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end

package io.lb.balancer;

import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;

/**
 * The latency-aware strategy ({@code lb.strategy=peak-ewma}): picks the lowest
 * {@code latency × (active + 1) / weight}, where latency is each backend's peak-EWMA response time. A backend
 * that answers slower gets proportionally fewer requests even when its connections are not (yet) piling up.
 * A backend with no sample yet counts as the fastest, so a new or recovered one is tried (slow start still
 * limits how much it takes).
 */
public final class PeakEwma implements LoadBalancingStrategy {

    private final long slowStartNanos;
    private final double tauNanos;

    public PeakEwma(long slowStartNanos, double tauNanos) {
        this.slowStartNanos = slowStartNanos;
        this.tauNanos = tauNanos;
    }

    @Override
    public boolean needsLatency() {
        return true;
    }

    /** The time constant of the latency estimate, for those who feed it. */
    public double tauNanos() {
        return tauNanos;
    }

    @Override
    public Backend choose(Backend[] candidates, Eligibility eligible, Predicate<Backend> excluded) {
        long now = System.nanoTime();
        Backend best = null;
        double bestScore = 0;
        long tiedWeight = 0;
        for (Backend candidate : candidates) {
            if (!eligible.test(candidate) || excluded.test(candidate)) {
                continue;
            }
            long weight = LeastConnections.effectiveWeight(candidate.weight(), candidate.upSinceNanos(), now,
                    slowStartNanos);
            // +1 ns so that an unsampled backend still ranks by its load
            double score = (candidate.latency().costNanos(now, tauNanos) + 1) * (candidate.activeConnections() + 1) / weight;
            if (best == null || score < bestScore) {
                best = candidate;
                bestScore = score;
                tiedWeight = weight;
            } else if (score == bestScore) {
                tiedWeight += weight;
                if (ThreadLocalRandom.current().nextLong(tiedWeight) < weight) {
                    best = candidate;
                }
            }
        }
        return best;
    }
}

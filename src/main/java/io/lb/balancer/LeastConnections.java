package io.lb.balancer;

import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;

/**
 * Picks the backend with the lowest {@code (active + 1) / weight}: the load it would have after taking this
 * exchange, per unit of weight (HAProxy's leastconn key). Ties are broken at random in proportion to weight,
 * so an idle pool is not always served by its first member.
 * <p>
 * Slow start: a backend that came UP (or was added) less than {@code lb.slow-start.window} ago counts with an
 * effective weight {@code weight × max(0.1, elapsed / window)} (rounded down to a 5 % step), so that a freshly
 * recovered backend, whose active count is zero, is not flooded with every new request. Weights are scaled by
 * {@link #SCALE} so that the fractional factor stays integer arithmetic; selection allocates nothing and takes no
 * lock.
 */
public final class LeastConnections implements LoadBalancingStrategy {

    /** Effective weights are in thousandths of a configured weight unit. */
    static final long SCALE = 1_000;
    /** The smallest slow-start factor, in thousandths: a recovering backend always gets some traffic. */
    static final long MIN_FACTOR = 100;
    /** The ramp's steps over the window. */
    static final long STEPS = 20;

    private final long slowStartNanos;

    public LeastConnections(long slowStartNanos) {
        this.slowStartNanos = slowStartNanos;
    }

    @Override
    public Backend choose(Backend[] candidates, Eligibility eligible, Predicate<Backend> excluded) {
        return choose(candidates, eligible, excluded, slowStartNanos > 0 ? System.nanoTime() : 0);
    }

    /** {@link #choose(Backend[], Eligibility, Predicate)} as of {@code now} (for slow start), so that tests need not wait. */
    Backend choose(Backend[] candidates, Eligibility eligible, Predicate<Backend> excluded, long now) {
        Backend best = null;
        long bestLoad = 0;
        long bestWeight = 1;
        long tiedWeight = 0;
        for (Backend candidate : candidates) {
            if (!eligible.test(candidate) || excluded.test(candidate)) {
                continue;
            }
            long load = candidate.activeConnections() + 1L;
            long weight = effectiveWeight(candidate.weight(), candidate.upSinceNanos(), now, slowStartNanos);
            // load/weight compared with bestLoad/bestWeight, without division
            int comparison = best == null ? -1 : Long.compare(load * bestWeight, bestLoad * weight);
            if (comparison < 0) {
                best = candidate;
                bestLoad = load;
                bestWeight = weight;
                tiedWeight = weight;
            } else if (comparison == 0) {
                tiedWeight += weight;
                if (ThreadLocalRandom.current().nextLong(tiedWeight) < weight) {
                    best = candidate;
                    bestLoad = load;
                    bestWeight = weight;
                }
            }
        }
        return best;
    }

    /**
     * The weight selection uses, in thousandths: {@code weight × SCALE × max(MIN_FACTOR/SCALE, elapsed/window)}, the
     * ratio rounded down to a multiple of {@code 1/STEPS},
     * while {@code elapsed = now - upSince} is inside the slow-start window, {@code weight × SCALE} after it
     * (or when {@code windowNanos} is 0).
     */
    public static long effectiveWeight(int weight, long upSinceNanos, long nowNanos, long windowNanos) {
        long full = weight * SCALE;
        if (windowNanos <= 0) {
            return full;
        }
        long elapsed = nowNanos - upSinceNanos;
        if (elapsed >= windowNanos) {
            return full;
        }
        if (elapsed <= 0) {
            return weight * MIN_FACTOR;
        }
        // In steps of 5 %: backends that came up moments apart ramp together instead of the later one losing
        // every tie for the whole window. elapsed < window, so elapsed * STEPS cannot overflow.
        long perMille = elapsed * STEPS / windowNanos * (SCALE / STEPS);
        return weight * Math.max(MIN_FACTOR, perMille);
    }
}

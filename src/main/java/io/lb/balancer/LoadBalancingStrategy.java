package io.lb.balancer;

import java.util.function.Predicate;

/**
 * Chooses which backend takes the next exchange, from the candidates it is given (a pool's backends). One small
 * class per strategy, found by name in {@link Strategies}.
 */
public interface LoadBalancingStrategy {

    /** The best of {@code candidates} that is {@code eligible} and not excluded, or null when there is none. */
    Backend choose(Backend[] candidates, Eligibility eligible, Predicate<Backend> excluded);

    /** Whether response latencies must be recorded for this strategy (only latency-aware ones read them). */
    default boolean needsLatency() {
        return false;
    }
}

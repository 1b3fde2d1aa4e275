package io.lb.balancer;

import java.util.function.Predicate;

import jakarta.inject.Singleton;
import jakarta.inject.Inject;

import io.lb.config.LbConfig;

/** The strategy this deployment uses, chosen once at startup by {@code lb.strategy}. */
@Singleton
public class Balancer implements BackendChooser {

    private final BackendChooser strategy;
    private final boolean needsLatency;

    @Inject
    public Balancer(LbConfig config, LeastConnections leastConnections, PeakEwma peakEwma) {
        Strategy chosen = Strategy.parse(config.strategy());
        this.strategy = chosen == Strategy.PEAK_EWMA ? peakEwma : leastConnections;
        this.needsLatency = chosen == Strategy.PEAK_EWMA;
    }

    @Override
    public Backend choose(Predicate<Backend> excluded) {
        return strategy.choose(excluded);
    }

    /** Whether response latencies must be recorded (only the latency-aware strategy reads them). */
    public boolean needsLatency() {
        return needsLatency;
    }
}

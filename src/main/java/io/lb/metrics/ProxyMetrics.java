package io.lb.metrics;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/** Counters the proxy's hot path increments. Meters are created once; the hot path only increments. */
@ApplicationScoped
public class ProxyMetrics {

    private final MeterRegistry registry;
    private final Counter abandonedBodyTooLarge;
    private final Counter abandonedBudget;

    @Inject
    public ProxyMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.abandonedBodyTooLarge = abandoned(registry, "body_too_large");
        this.abandonedBudget = abandoned(registry, "budget_exhausted");
    }

    /** A retry is being made because the previous try failed for {@code reason}. */
    public void retry(String reason) {
        registry.counter("lb.retries", "reason", reason).increment();
    }

    /** A retry was wanted but the request body had streamed past the replay buffer. */
    public void retryAbandonedBodyTooLarge() {
        abandonedBodyTooLarge.increment();
    }

    /** A retry was wanted but the retry budget was spent. */
    public void retryRefusedByBudget() {
        abandonedBudget.increment();
    }

    private static Counter abandoned(MeterRegistry registry, String reason) {
        return Counter.builder("lb.retries.abandoned")
                .description("Retries that were wanted but not made")
                .tag("reason", reason)
                .register(registry);
    }
}

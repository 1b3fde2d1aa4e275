package io.lb.metrics;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import io.lb.balancer.BackendPool;
import io.lb.balancer.PoolRegistry;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;

/**
 * Per-pool meters, registered for every pool at startup: {@code lb_pool_panic{pool}} (1 while the pool is in panic)
 * and {@code lb_pool_panics_total{pool}} (times it entered panic, so that a short panic between two scrapes shows).
 */
@Startup
@Singleton
public class PoolMeters {

    @Inject
    public PoolMeters(PoolRegistry pools, MeterRegistry registry) {
        for (BackendPool pool : pools.all()) {
            Gauge.builder("lb.pool.panic", pool, p -> p.panic() ? 1 : 0)
                    .description("1 while the pool is in panic: too few backends accept traffic, ejection is ignored")
                    .tag(BackendMeters.POOL_TAG, pool.name())
                    .register(registry);
            FunctionCounter.builder("lb.pool.panics", pool, BackendPool::panics)
                    .description("Times the pool entered panic")
                    .tag(BackendMeters.POOL_TAG, pool.name())
                    .register(registry);
        }
    }
}

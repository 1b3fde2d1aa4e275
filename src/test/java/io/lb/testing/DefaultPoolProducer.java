package io.lb.testing;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.lb.balancer.BackendPool;
import io.lb.balancer.PoolRegistry;

/** Lets a test inject the default pool ({@code lb.backends}) directly, as most tests use only that one. */
public class DefaultPoolProducer {

    @Produces
    @Singleton
    BackendPool defaultPool(PoolRegistry pools) {
        return pools.defaultPool().orElseThrow(() -> new IllegalStateException(
                "this test's configuration has no default pool (lb.backends)"));
    }
}

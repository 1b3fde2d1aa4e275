package io.lb.health;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

import io.lb.balancer.Backend;
import io.lb.balancer.BackendPool;
import io.lb.balancer.PoolRegistry;
import io.lb.config.PoolSettings;
import io.lb.balancer.BackendState;

/**
 * Ready while at least one pool has a backend that accepts traffic; DOWN when no pool can serve, so that Kubernetes
 * stops sending traffic to a replica that could only answer 503. A single pool with every backend DOWN does not
 * take the replica out: its routes answer 503 at once while the other routes keep being served. The data lists
 * each pool's state ({@code pool.<name>}: UP or DOWN) and each backend ({@code <pool>/<url>}, or the URL alone in
 * the default pool) with UP, DOWN, EJECTED or DRAINING.
 */
@Readiness
@ApplicationScoped
public class BackendsReadiness implements HealthCheck {

    static final String NAME = "backends";

    private final PoolRegistry pools;

    @Inject
    public BackendsReadiness(PoolRegistry pools) {
        this.pools = pools;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder builder = HealthCheckResponse.named(NAME);
        boolean anyPool = false;
        for (BackendPool pool : pools.all()) {
            boolean serving = pool.servingBackends() > 0;
            boolean isDefault = pool.name().equals(PoolSettings.DEFAULT);
            for (Backend backend : pool.snapshot()) {
                builder.withData(isDefault ? backend.id() : pool.name() + "/" + backend.id(), describe(backend));
            }
            builder.withData("pool." + pool.name(), serving ? "UP" : "DOWN");
            anyPool |= serving;
        }
        return builder.status(anyPool).build();
    }

    /** The state an operator cares about, most important first. */
    public static String describe(Backend backend) {
        if (backend.state() == BackendState.DOWN) {
            return "DOWN";
        }
        if (backend.draining()) {
            return "DRAINING";
        }
        if (backend.ejected()) {
            return "EJECTED";
        }
        return "UP";
    }
}

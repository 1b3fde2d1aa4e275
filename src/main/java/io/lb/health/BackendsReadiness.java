package io.lb.health;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

import io.lb.balancer.Backend;
import io.lb.balancer.BackendPool;
import io.lb.balancer.BackendState;

/**
 * Ready while at least one backend accepts traffic; otherwise DOWN, so that Kubernetes stops sending traffic to
 * a replica that could only answer 503. The data lists each backend (by URL) with UP, DOWN, EJECTED or DRAINING.
 */
@Readiness
@ApplicationScoped
public class BackendsReadiness implements HealthCheck {

    static final String NAME = "backends";

    private final BackendPool pool;

    @Inject
    public BackendsReadiness(BackendPool pool) {
        this.pool = pool;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder builder = HealthCheckResponse.named(NAME);
        boolean any = false;
        for (Backend backend : pool.snapshot()) {
            any |= backend.acceptsTraffic();
            builder.withData(backend.id(), describe(backend));
        }
        return builder.status(any).build();
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

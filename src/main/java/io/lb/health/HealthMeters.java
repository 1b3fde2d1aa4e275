package io.lb.health;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import io.lb.balancer.Backend;
import io.lb.balancer.BackendEvent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Health meters per backend: {@code lb.health.checks{pool, backend, result=healthy|unhealthy}} (Prometheus
 * {@code lb_health_checks_total}) and {@code lb.backend.ejections{pool, backend}} ({@code lb_backend_ejections_total}).
 * They are registered when a backend joins the pool (so they read 0 rather than being absent) and removed when
 * it leaves, so that the tag set follows the pool.
 */
@ApplicationScoped
public class HealthMeters {

    private final MeterRegistry registry;
    private final Map<Backend, Meters> meters = new ConcurrentHashMap<>();

    @Inject
    public HealthMeters(MeterRegistry registry) {
        this.registry = registry;
    }

    void onPoolChange(@Observes BackendEvent event) {
        if (event.kind() == BackendEvent.Kind.ADDED) {
            meters(event.backend());
        } else {
            Meters removed = meters.remove(event.backend());
            if (removed != null) {
                registry.remove(removed.healthy);
                registry.remove(removed.unhealthy);
                registry.remove(removed.ejections);
            }
        }
    }

    public void check(Backend backend, boolean healthy) {
        Meters m = meters.get(backend);
        if (m != null) { // null: the backend left the pool while it was being probed; do not resurrect its meters
            (healthy ? m.healthy : m.unhealthy).increment();
        }
    }

    public void ejection(Backend backend) {
        Meters m = meters.get(backend);
        if (m != null) {
            m.ejections.increment();
        }
    }

    private Meters meters(Backend backend) {
        return meters.computeIfAbsent(backend, this::register);
    }

    private Meters register(Backend backend) {
        return new Meters(check(backend, "healthy"), check(backend, "unhealthy"),
                Counter.builder("lb.backend.ejections")
                        .description("Outlier ejections of a backend that kept answering with errors")
                        .tag("pool", backend.pool())
                        .tag("backend", backend.id())
                        .register(registry));
    }

    private Counter check(Backend backend, String result) {
        return Counter.builder("lb.health.checks")
                .description("Active health check probes, by result")
                .tag("pool", backend.pool())
                .tag("backend", backend.id())
                .tag("result", result)
                .register(registry);
    }

    private record Meters(Counter healthy, Counter unhealthy, Counter ejections) {
    }
}

package io.lb.metrics;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import io.lb.balancer.Backend;
import io.lb.balancer.BackendEvent;
import io.lb.balancer.BackendState;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Per-backend gauges, registered when a backend joins the pool and removed, with every other meter tagged
 * with it, when it leaves: the series of a backend that is gone should not linger in Prometheus.
 */
@ApplicationScoped
public class BackendMeters {

    public static final String TAG = "backend";
    public static final String POOL_TAG = "pool";

    @Inject
    MeterRegistry registry;

    void onPoolChange(@Observes BackendEvent event) {
        Backend backend = event.backend();
        if (event.kind() == BackendEvent.Kind.ADDED) {
            register(backend);
        } else {
            registry.getMeters().stream()
                    .filter(meter -> meter.getId().getName().startsWith("lb.")
                            && backend.id().equals(meter.getId().getTag(TAG))
                            && backend.pool().equals(meter.getId().getTag(POOL_TAG)))
                    .forEach(registry::remove);
        }
    }

    private void register(Backend backend) {
        Gauge.builder("lb.backend.active.connections", backend, Backend::activeConnections)
                .description("Exchanges in flight to the backend")
                .tag(POOL_TAG, backend.pool())
                .tag(TAG, backend.id())
                .register(registry);
        Gauge.builder("lb.backend.up", backend, b -> b.state() == BackendState.UP ? 1 : 0)
                .description("1 when health checking considers the backend UP, else 0")
                .tag(POOL_TAG, backend.pool())
                .tag(TAG, backend.id())
                .register(registry);
        Gauge.builder("lb.backend.weight", backend, Backend::weight)
                .description("Configured weight of the backend")
                .tag(POOL_TAG, backend.pool())
                .tag(TAG, backend.id())
                .register(registry);
    }
}

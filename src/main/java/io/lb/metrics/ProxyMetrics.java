package io.lb.metrics;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.inject.Singleton;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import io.lb.balancer.Backend;
import io.lb.balancer.BackendEvent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/** What the proxy's hot path records. Meters are created once; recording only increments. */
@Singleton
public class ProxyMetrics {

    static final String NO_BACKEND = "none";

    private final MeterRegistry registry;
    private final Map<Backend, RequestMeters> perBackend = new ConcurrentHashMap<>();
    private final RequestMeters withoutBackend;
    private final Counter abandonedBodyTooLarge;
    private final Counter abandonedBudget;
    private final Counter abandonedNoBackend;
    private final AtomicInteger openTunnels = new AtomicInteger();

    @Inject
    public ProxyMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.withoutBackend = new RequestMeters(registry, NO_BACKEND);
        this.abandonedBodyTooLarge = abandoned(registry, "body_too_large");
        this.abandonedBudget = abandoned(registry, "budget_exhausted");
        this.abandonedNoBackend = abandoned(registry, "no_backend");
        Gauge.builder("lb.websocket.tunnels", openTunnels, AtomicInteger::get)
                .description("WebSocket tunnels open through the balancer")
                .register(registry);
    }

    /**
     * A client request ended; {@code backend} is the one that served it last, null if none did. Nothing is
     * recorded for a backend that has already left the pool: its series are gone, and recreating them would
     * leave them behind for good (every pod a rolling update replaces would add a set).
     */
    public void requestEnded(Backend backend, int status, Outcome outcome, long nanos) {
        RequestMeters meters = backend == null ? withoutBackend : perBackend.get(backend);
        if (meters != null) {
            meters.record(status, outcome, nanos);
        }
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

    /** A retry was wanted but no other backend could take it. */
    public void retryAbandonedNoBackend() {
        abandonedNoBackend.increment();
    }

    /** A WebSocket upgrade succeeded: a tunnel is open (it ends with {@link #tunnelClosed}). */
    public void tunnelOpened() {
        openTunnels.incrementAndGet();
    }

    /** A tunnel that {@link #tunnelOpened} counted has closed. */
    public void tunnelClosed() {
        openTunnels.decrementAndGet();
    }

    public int openTunnels() {
        return openTunnels.get();
    }

    void onPoolChange(@Observes BackendEvent event) {
        Backend backend = event.backend();
        if (event.kind() == BackendEvent.Kind.ADDED) {
            perBackend.put(backend, new RequestMeters(registry, backend.id()));
        } else {
            RequestMeters gone = perBackend.remove(backend);
            if (gone != null) {
                gone.close();
            }
        }
    }

    private static Counter abandoned(MeterRegistry registry, String reason) {
        return Counter.builder("lb.retries.abandoned")
                .description("Retries that were wanted but not made")
                .tag("reason", reason)
                .register(registry);
    }
}

package io.lb.metrics;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import io.lb.balancer.Backend;
import io.lb.balancer.BackendEvent;
import io.lb.proxy.Exchange;
import io.lb.proxy.ExchangeListener;
import io.lb.routing.Route;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;

/**
 * The Prometheus view of exchanges: {@code lb_requests_total} and {@code lb_request_duration_seconds} by pool,
 * route and backend (names from the configuration only, so cardinality stays bounded), retries by reason,
 * abandoned retries, admission rejections ({@link Rejections}), open WebSocket tunnels. Meters are made once per route and backend; recording increments.
 */
@Singleton
public class ExchangeMetrics implements ExchangeListener {

    static final String NONE = "none";

    private final MeterRegistry registry;
    private final Map<Backend, ByRoute> perBackend = new ConcurrentHashMap<>();
    private final ByRoute withoutBackend;
    private final RequestMeters turnedAway;
    private final Map<String, Counter> retries = new ConcurrentHashMap<>();
    private final Map<String, Counter> abandoned = new ConcurrentHashMap<>();
    private final AtomicInteger openTunnels = new AtomicInteger();
    private final Rejections rejections;

    @Inject
    public ExchangeMetrics(MeterRegistry registry, Rejections rejections) {
        this.registry = registry;
        this.rejections = rejections;
        this.withoutBackend = new ByRoute(registry, null);
        this.turnedAway = new RequestMeters(registry, Tags.of("pool", NONE, "route", NONE, BackendMeters.TAG, NONE));
        for (String reason : new String[] { "body_too_large", "budget_exhausted", "no_backend" }) {
            abandoned.put(reason, abandonedCounter(reason));
        }
        Gauge.builder("lb.websocket.tunnels", openTunnels, AtomicInteger::get)
                .description("WebSocket tunnels open through the balancer")
                .register(registry);
    }

    @Override
    public void tryStarted(Exchange exchange, Backend backend, String retryReason) {
        if (retryReason != null) {
            retries.computeIfAbsent(retryReason, reason -> Counter.builder("lb.retries")
                    .description("Tries sent again to another backend, by why the previous try failed")
                    .tag("reason", reason)
                    .register(registry)).increment();
        }
    }

    @Override
    public void retryAbandoned(Exchange exchange, String reason) {
        abandoned.computeIfAbsent(reason, this::abandonedCounter).increment();
    }

    @Override
    public void admissionRejected(Exchange exchange, String reason) {
        switch (reason) {
            case "queue_full" -> rejections.queueFull();
            case "request_body_timeout" -> rejections.requestBodyTimeout();
            case "rate_limited" -> rejections.rateLimited();
            default -> throw new IllegalArgumentException("no lb_rejected_total reason " + reason);
        }
    }

    @Override
    public void tunnelOpened(Exchange exchange) {
        openTunnels.incrementAndGet();
    }

    /**
     * Nothing is recorded for a backend that has already left its pool: its series are gone, and recreating them
     * would leave them behind for good (every pod a rolling update replaces would add a set).
     */
    @Override
    public void exchangeEnded(Exchange exchange) {
        if (exchange.tunnel() && exchange.status() == 101) {
            openTunnels.decrementAndGet();
        }
        Route route = exchange.route();
        RequestMeters meters;
        if (route == null) {
            meters = turnedAway;
        } else {
            ByRoute byRoute = exchange.backend() == null ? withoutBackend : perBackend.get(exchange.backend());
            meters = byRoute == null ? null : byRoute.of(route);
        }
        if (meters != null) {
            meters.record(exchange.status(), exchange.outcome(), exchange.durationNanos());
        }
    }

    public int openTunnels() {
        return openTunnels.get();
    }

    void onPoolChange(@Observes BackendEvent event) {
        Backend backend = event.backend();
        if (event.kind() == BackendEvent.Kind.ADDED) {
            perBackend.put(backend, new ByRoute(registry, backend));
        } else {
            ByRoute gone = perBackend.remove(backend);
            if (gone != null) {
                gone.close();
            }
        }
    }

    private Counter abandonedCounter(String reason) {
        return Counter.builder("lb.retries.abandoned")
                .description("Retries that were wanted but not made")
                .tag("reason", reason)
                .register(registry);
    }

    /** One backend's (or no backend's) meters, one set per route, made on the route's first request. */
    private static final class ByRoute {
        private final MeterRegistry registry;
        private final Backend backend;
        private volatile RequestMeters[] byRouteId = new RequestMeters[0];
        private volatile boolean closed;

        ByRoute(MeterRegistry registry, Backend backend) {
            this.registry = registry;
            this.backend = backend;
        }

        RequestMeters of(Route route) {
            RequestMeters[] meters = byRouteId;
            int id = route.id();
            if (id < meters.length && meters[id] != null) {
                return meters[id];
            }
            return create(route);
        }

        private synchronized RequestMeters create(Route route) {
            RequestMeters[] meters = byRouteId;
            int id = route.id();
            if (id < meters.length && meters[id] != null) {
                return meters[id];
            }
            if (closed) {
                return null;
            }
            RequestMeters[] grown = java.util.Arrays.copyOf(meters, Math.max(meters.length, id + 1));
            grown[id] = new RequestMeters(registry, Tags.of("pool", route.pool(), "route", route.name(),
                    BackendMeters.TAG, backend == null ? NONE : backend.id()));
            byRouteId = grown;
            return grown[id];
        }

        synchronized void close() {
            closed = true;
            for (RequestMeters meters : byRouteId) {
                if (meters != null) {
                    meters.close();
                }
            }
        }
    }
}

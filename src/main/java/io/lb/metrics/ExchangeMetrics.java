package io.lb.metrics;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import io.lb.balancer.Backend;
import io.lb.balancer.BackendEvent;
import io.lb.balancer.BackendPool;
import io.lb.balancer.PoolRegistry;
import io.lb.proxy.Exchange;
import io.lb.proxy.ExchangeListener;
import io.lb.proxy.Outcome;
import io.lb.proxy.Proxy;
import io.lb.proxy.RetryReasons;
import io.lb.routing.Route;
import io.quarkus.runtime.StartupEvent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;

/**
 * The Prometheus view of exchanges: {@code lb_requests_total} and {@code lb_request_duration_seconds} by pool,
 * route and backend (names from the configuration only, so cardinality stays bounded), retries by reason,
 * abandoned retries, admission rejections ({@link Rejections}), open WebSocket tunnels. Meters are made once per route and backend; recording increments.
 * <p>
 * Series whose label values are known exist from the start at 0, so that a rate or a ratio over them is defined
 * before the first event: every retry reason the pools' settings allow, every abandon reason, and per route and
 * backend the usual ends of a request ({@code success} with each status class, {@code backend_error} and
 * {@code timeout} with 5xx; {@code no_backend} 5xx with backend {@code none}; {@code no_route} and
 * {@code rejected} 4xx with route {@code none}). A backend that joins later gets its series when it joins.
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
    private final Instance<Proxy> proxy;
    /** The routing table's routes, once the application has started; until then backends get no series yet. */
    private volatile List<Route> routes;

    @Inject
    public ExchangeMetrics(MeterRegistry registry, Rejections rejections, PoolRegistry pools, Instance<Proxy> proxy) {
        this.registry = registry;
        this.rejections = rejections;
        this.proxy = proxy;
        this.withoutBackend = new ByRoute(registry, null);
        this.turnedAway = new RequestMeters(registry, Tags.of("pool", NONE, "route", NONE, BackendMeters.TAG, NONE))
                .withZeroes(Outcome.NO_ROUTE, 404)
                .withZeroes(Outcome.REJECTED, 400);
        for (String reason : new String[] { "body_too_large", "budget_exhausted", "no_backend" }) {
            abandoned.put(reason, abandonedCounter(reason));
        }
        Set<String> retryReasons = new TreeSet<>();
        for (BackendPool pool : pools.all()) {
            retryReasons.addAll(RetryReasons.of(pool.settings().retry()));
        }
        retryReasons.forEach(this::retryCounter);
        Gauge.builder("lb.websocket.tunnels", openTunnels, AtomicInteger::get)
                .description("WebSocket tunnels open through the balancer")
                .register(registry);
    }

    @Override
    public void tryStarted(Exchange exchange, Backend backend, String retryReason) {
        if (retryReason != null) {
            Counter counter = retries.get(retryReason);
            (counter == null ? retryCounter(retryReason) : counter).increment();
        }
    }

    private Counter retryCounter(String reason) {
        return retries.computeIfAbsent(reason, r -> Counter.builder("lb.retries")
                .description("Tries sent again to another backend, by why the previous try failed")
                .tag("reason", r)
                .register(registry));
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

    /** After discovery's first backends joined: the series at 0 of every route and the backends it leads to. */
    void onStart(@Observes StartupEvent event) {
        List<Route> all = proxy.get().routes();
        routes = all;
        for (Route route : all) {
            withoutBackend.of(route).withZeroes(Outcome.NO_BACKEND, 503);
        }
        perBackend.values().forEach(byRoute -> byRoute.zeroes(all));
    }

    void onPoolChange(@Observes BackendEvent event) {
        Backend backend = event.backend();
        if (event.kind() == BackendEvent.Kind.ADDED) {
            ByRoute byRoute = new ByRoute(registry, backend);
            perBackend.put(backend, byRoute);
            List<Route> known = routes;
            if (known != null) {
                byRoute.zeroes(known);
            }
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

        /** The series at 0 for each of {@code routes} that leads to this backend's pool. */
        void zeroes(List<Route> routes) {
            for (Route route : routes) {
                if (route.pool().equals(backend.pool())) {
                    RequestMeters meters = of(route);
                    if (meters != null) {
                        meters.withZeroes(Outcome.SUCCESS, 200, 300, 400, 500)
                                .withZeroes(Outcome.BACKEND_ERROR, 502)
                                .withZeroes(Outcome.TIMEOUT, 504);
                    }
                }
            }
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

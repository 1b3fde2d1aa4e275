package io.lb.proxy;

import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.lb.balancer.BackendPool;
import io.lb.balancer.PoolRegistry;
import io.lb.client.BackendClient;
import io.lb.client.BackendClientProducer;
import io.lb.client.VertxInternals;
import io.lb.config.LbConfig;
import io.lb.health.PassiveHealth;
import io.lb.routing.Route;
import io.lb.routing.RouteTable;
import io.lb.routing.RoutesConfig;
import io.quarkus.runtime.Startup;
import io.quarkus.scheduler.Scheduled;
import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.HostAndPort;

/**
 * The entry point of every request on the traffic port: turn away what must not pass, find the route, and hand
 * the request to an exchange (or a WebSocket tunnel) bound for the route's pool. Everything an exchange needs is
 * prepared here once, at startup, so that the per-request path only reads fields. This and the beans the hot path
 * calls are {@code @Singleton}, not {@code @ApplicationScoped}: no client proxy, so no scope lookup on every call.
 */
@Startup
@Singleton
public class Proxy {

    private final Forwarding forwarding;
    private final HttpClient upgradeClient;
    private final RouteTable<RouteTarget> routes;
    private final RequestGate gate;
    private final ForwardedHeaders forwardedHeaders;
    private final List<RateLimiter> limiters = new ArrayList<>();
    private final ClosingConnections closingConnections = new ClosingConnections();

    @Inject
    public Proxy(Vertx vertx, BackendClient client,
            @Named(BackendClientProducer.UPGRADE_NAME) HttpClient upgradeClient, PoolRegistry pools,
            RetryBudget budget, PassiveHealth health, @Any Instance<ExchangeListener> listeners, LbConfig config,
            @ConfigProperty(name = "quarkus.http.limits.max-body-size") Optional<MemorySize> maxBodySize) {
        this.upgradeClient = upgradeClient;
        this.gate = new RequestGate(config.limits().maxHeaders(),
                maxBodySize.map(MemorySize::asLongValue).orElse(Long.MAX_VALUE));
        this.forwardedHeaders = new ForwardedHeaders(
                TrustedProxies.parse(config.forwarded().trustedProxies().orElse(List.of())));
        OutgoingHeaders headers = new OutgoingHeaders(forwardedHeaders,
                config.client().protocol() == LbConfig.BackendProtocol.H2C);
        List<ExchangeListener> all = new ArrayList<>();
        listeners.forEach(all::add);
        this.forwarding = new Forwarding(vertx, client, budget, health, new ExchangeListeners(all), headers,
                new RequestIds(config.requestId()), closingConnections, config.retry().bodyBufferSize().asLongValue(),
                config.timeout().idle().toMillis(), config.timeout().requestBodyIdle().toMillis(),
                config.timeout().overall().toNanos());
        Map<String, Upstream> upstreams = new HashMap<>();
        for (BackendPool pool : pools.all()) {
            upstreams.put(pool.name(), new Upstream(pool));
        }
        List<Route> configured = RoutesConfig.read(config, upstreams.keySet());
        this.routes = new RouteTable<>(configured, route -> new RouteTarget(route, upstreams.get(route.pool()),
                rateLimiter(config, route)));
    }

    /** Entry point of every request on the traffic port. */
    public void handle(HttpServerRequest request) {
        boolean http2 = request.version() == HttpVersion.HTTP_2;
        boolean bodiless = http2 ? VertxInternals.http2StreamEndedWithHeaders(request) : endsWithItsHead(request);
        if (!bodiless && !http2) {
            // the body waits until a backend request is there to take it (an HTTP/2 body holds itself back then)
            request.pause();
        }
        if (closingConnections.arrivedOnClosingConnection(request)) {
            closingConnections.close(request);
            return;
        }
        RequestGate.Rejection rejection = gate.check(request);
        if (rejection != null) {
            turnAway(request, null, rejection.status(), rejection.reason(), Outcome.REJECTED);
            return;
        }
        HostAndPort authority = forwardedAuthority(request);
        String uri = originFormUri(request);
        RouteTarget target = routes.match(authority == null ? null : authority.host(), uri.equals("*") ? "/" : uri);
        if (target == null) {
            turnAway(request, null, 404, ErrorResponses.noRoute(authority, uri), Outcome.NO_ROUTE);
            return;
        }
        if (target.limiter() != null) {
            long retryAfterSeconds = target.limiter().acquire(request);
            if (retryAfterSeconds > 0) {
                request.response().putHeader(HttpHeaders.RETRY_AFTER, Long.toString(retryAfterSeconds));
                turnAway(request, target, 429, ErrorResponses.RATE_LIMITED, Outcome.REJECTED);
                return;
            }
        }
        if (request.headers().contains(HttpHeaders.UPGRADE) && WebSocketTunnel.isWebSocketUpgrade(request)) {
            new WebSocketTunnel(forwarding, upgradeClient, target, request, authority, uri).start();
            return;
        }
        boolean closeAfter = RequestGate.mustCloseAfter(request) && closingConnections.mark(request);
        new ProxyExchange(forwarding, target, request, authority, uri, closeAfter, bodiless).start();
    }

    private void turnAway(HttpServerRequest request, RouteTarget target, int status, String reason, Outcome outcome) {
        String requestId = forwarding.requestIds().of(request);
        forwarding.requestIds().write(requestId, request.response().headers());
        TurnedAway exchange = new TurnedAway(request, target, requestId, status, outcome);
        if (status == 429) {
            forwarding.listeners().admissionRejected(exchange, "rate_limited");
        }
        forwarding.listeners().exchangeEnded(exchange);
        String body = ErrorResponses.withRequestId(reason, requestId);
        // a 429 leaves the connection open, unless a body it will not read follows the head
        boolean close = outcome == Outcome.REJECTED && (status != 429 || announcesBody(request));
        if (close && closingConnections.mark(request)) {
            ErrorResponses.answer(request, status, body, true)
                    .onComplete(written -> closingConnections.close(request));
        } else {
            ErrorResponses.answer(request, status, body, false);
        }
    }

    private RateLimiter rateLimiter(LbConfig config, Route route) {
        LbConfig.RouteSettings settings = config.routes().get(route.name());
        RateLimiter limiter = settings == null ? null
                : RateLimiter.of("lb.routes." + route.name() + ".rate-limit.", settings.rateLimit(), forwardedHeaders);
        if (limiter != null) {
            limiters.add(limiter);
        }
        return limiter;
    }

    /** Every minute, the rate limiters' buckets that have filled up again are dropped (off the event loops). */
    @Scheduled(every = "60s", identity = "lb-rate-limit-eviction")
    void evictIdleRateLimitBuckets() {
        limiters.forEach(RateLimiter::evictIdle);
    }

    /** The routes, as the admin API and the dashboard show them. */
    public List<Route> routes() {
        return routes.routes();
    }

    /**
     * The request's target in origin-form. An absolute-form target (RFC 9112 §3.2.2) is reduced to its path and
     * query, which is what a reverse proxy routes on and passes on.
     */
    private static String originFormUri(HttpServerRequest request) {
        String uri = request.uri();
        if (isOriginForm(uri)) {
            return uri;
        }
        String query = request.query();
        return (request.path() == null ? "/" : request.path()) + (query == null ? "" : "?" + query);
    }

    /**
     * The Host the backend is told: the client's, except for an absolute-form request, whose target's
     * authority replaces any Host header (RFC 9112 §3.2.2).
     */
    private static HostAndPort forwardedAuthority(HttpServerRequest request) {
        String uri = request.uri();
        if (isOriginForm(uri)) {
            return authorityOf(request);
        }
        URI target = URI.create(uri);
        return target.getHost() == null ? request.authority() : HostAndPort.create(target.getHost(), target.getPort());
    }

    /**
     * The request's authority. For HTTP/1.x it is parsed from the Host header here, as Vert.x does: the routing
     * context's request wrapper would first compute its forwarded view (an absolute URI string and more) on every
     * request, which the profile showed.
     */
    private static HostAndPort authorityOf(HttpServerRequest request) {
        if (request.version() == HttpVersion.HTTP_2) {
            return request.authority();
        }
        String host = request.getHeader(HttpHeaders.HOST);
        return host == null ? null : HostAndPort.parseAuthority(host, -1);
    }

    /**
     * An HTTP/1.x request that announces no body (and asks for no upgrade): its end follows in the read that brought
     * its head, so there is nothing to hold back.
     */
    private static boolean endsWithItsHead(HttpServerRequest request) {
        return !announcesBody(request) && !request.headers().contains(HttpHeaders.UPGRADE);
    }

    private static boolean announcesBody(HttpServerRequest request) {
        String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
        return request.headers().contains(HttpHeaders.TRANSFER_ENCODING) || length != null && !length.strip().equals("0");
    }

    private static boolean isOriginForm(String uri) {
        return uri.startsWith("/") || uri.equals("*");
    }

    /** Shutdown: from now on every new request is answered 503 and its connection closed. */
    public void stopAccepting() {
        gate.refuseAll();
    }

    /** Requests being proxied right now (WebSocket tunnels not included). */
    public int exchangesInFlight() {
        return forwarding.budget().requestsInFlight();
    }
}

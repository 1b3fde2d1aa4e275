package io.lb.proxy;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;

import io.lb.balancer.LeastConnections;
import io.lb.config.LbConfig;
import io.lb.health.PassiveHealth;
import io.lb.metrics.ProxyMetrics;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;

/**
 * The proxy's shared parts: everything a {@link ProxyExchange} needs, prepared once at startup so that the
 * per-request path only reads fields.
 */
@ApplicationScoped
public class Proxy {

    private final Vertx vertx;
    private final HttpClient client;
    private final HttpClient upgradeClient;
    private final StickySessions sticky;
    private final LeastConnections balancer;
    private final RetryPolicy policy;
    private final RetryBudget budget;
    private final PassiveHealth health;
    private final ProxyMetrics metrics;
    private final long bodyBufferBytes;
    private final long responseTimeoutMillis;
    private final long idleTimeoutMillis;
    private final long overallTimeoutNanos;

    @Inject
    public Proxy(Vertx vertx, @Named(BackendClientProducer.NAME) HttpClient client,
            @Named(BackendClientProducer.UPGRADE_NAME) HttpClient upgradeClient, LeastConnections balancer,
            RetryPolicy policy, RetryBudget budget, PassiveHealth health, ProxyMetrics metrics, LbConfig config,
            StickySessions sticky) {
        this.vertx = vertx;
        this.client = client;
        this.upgradeClient = upgradeClient;
        this.sticky = sticky.enabled() ? sticky : null;
        this.balancer = balancer;
        this.policy = policy;
        this.budget = budget;
        this.health = health;
        this.metrics = metrics;
        this.bodyBufferBytes = config.retry().bodyBufferSize().asLongValue();
        this.responseTimeoutMillis = config.timeout().response().toMillis();
        this.idleTimeoutMillis = config.timeout().idle().toMillis();
        this.overallTimeoutNanos = config.timeout().overall().toNanos();
    }

    /** Entry point of the catch-all route. */
    public void handle(RoutingContext routingContext) {
        HttpServerRequest request = routingContext.request();
        request.pause();
        if (request.headers().contains(HttpHeaders.UPGRADE) && WebSocketTunnel.isWebSocketUpgrade(request)) {
            new WebSocketTunnel(this, request).start();
            return;
        }
        new ProxyExchange(this, request).start();
    }

    MultiMap outgoingHeaders(HttpServerRequest request) {
        MultiMap headers = MultiMap.caseInsensitiveMultiMap();
        HopByHopHeaders.copyEndToEnd(request.headers(), headers);
        headers.remove("Host");
        headers.remove("Expect");
        ForwardedHeaders.apply(request, headers);
        return headers;
    }

    String forwardedUri(HttpServerRequest request) {
        String uri = request.uri();
        if (uri.startsWith("/") || uri.equals("*")) {
            return uri;
        }
        // absolute-form (RFC 9112 §3.2.2): a reverse proxy passes on the origin-form
        String query = request.query();
        return (request.path() == null ? "/" : request.path()) + (query == null ? "" : "?" + query);
    }

    Vertx vertx() {
        return vertx;
    }

    HttpClient client() {
        return client;
    }

    /** HTTP/1.1 whatever {@code lb.client.protocol} says: WebSocket upgrades exist only there. */
    HttpClient upgradeClient() {
        return upgradeClient;
    }

    /** Null unless {@code lb.sticky.enabled}: the hot path tests one field. */
    StickySessions sticky() {
        return sticky;
    }

    LeastConnections balancer() {
        return balancer;
    }

    RetryPolicy policy() {
        return policy;
    }

    RetryBudget budget() {
        return budget;
    }

    PassiveHealth health() {
        return health;
    }

    ProxyMetrics metrics() {
        return metrics;
    }

    long bodyBufferBytes() {
        return bodyBufferBytes;
    }

    long responseTimeoutMillis() {
        return responseTimeoutMillis;
    }

    long idleTimeoutMillis() {
        return idleTimeoutMillis;
    }

    long overallTimeoutNanos() {
        return overallTimeoutNanos;
    }
}

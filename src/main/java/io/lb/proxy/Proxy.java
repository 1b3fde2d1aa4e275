package io.lb.proxy;

import java.net.URI;
import java.util.List;
import java.util.Optional;

import jakarta.inject.Inject;
import jakarta.inject.Named;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.lb.balancer.Backend;
import io.lb.balancer.Balancer;
import io.lb.client.BackendClient;
import io.lb.config.LbConfig;
import io.lb.health.PassiveHealth;
import io.lb.metrics.Outcome;
import io.lb.metrics.ProxyMetrics;
import io.lb.metrics.Rejections;
import io.quarkus.runtime.Startup;
import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.HostAndPort;

/**
 * The proxy's shared parts: everything a {@link ProxyExchange} needs, prepared once at startup so that the
 * per-request path only reads fields. Created at startup, so that the first request does not pay for setting up
 * the client. This and the beans the hot path calls are {@code @Singleton}, not {@code @ApplicationScoped}: no
 * client proxy, so no scope lookup on every call (the profile in docs/benchmarks.md showed it).
 */
@Startup
@Singleton
public class Proxy {

    private final Vertx vertx;
    private final BackendClient client;
    private final HttpClient upgradeClient;
    private final StickySessions sticky;
    private final Balancer balancer;
    private final RetryPolicy policy;
    private final RetryBudget budget;
    private final PassiveHealth health;
    private final ProxyMetrics metrics;
    private final Rejections rejections;
    private final long bodyBufferBytes;
    private final long responseTimeoutMillis;
    private final long idleTimeoutMillis;
    private final long requestBodyIdleMillis;
    private final long overallTimeoutNanos;
    /** 0 unless the strategy reads latencies: then the peak-EWMA time constant. */
    private final double latencyDecayNanos;
    private final RequestGate gate;
    private final ClosingConnections closingConnections = new ClosingConnections();
    private final ForwardedHeaders forwardedHeaders;
    /** Backends are spoken to over HTTP/2, where "TE: trailers" may travel (gRPC servers expect it). */
    private final boolean teTrailersToBackends;

    @Inject
    public Proxy(Vertx vertx, BackendClient client,
            @Named(BackendClientProducer.UPGRADE_NAME) HttpClient upgradeClient, Balancer balancer,
            RetryPolicy policy, RetryBudget budget, PassiveHealth health, ProxyMetrics metrics, LbConfig config,
            StickySessions sticky, Rejections rejections,
            @ConfigProperty(name = "quarkus.http.limits.max-body-size") Optional<MemorySize> maxBodySize) {
        this.vertx = vertx;
        this.client = client;
        this.upgradeClient = upgradeClient;
        this.sticky = sticky.enabled() ? sticky : null; // null: the hot path tests one field
        this.balancer = balancer;
        this.policy = policy;
        this.budget = budget;
        this.health = health;
        this.metrics = metrics;
        this.rejections = rejections;
        this.bodyBufferBytes = config.retry().bodyBufferSize().asLongValue();
        this.responseTimeoutMillis = config.timeout().response().toMillis();
        this.idleTimeoutMillis = config.timeout().idle().toMillis();
        this.requestBodyIdleMillis = config.timeout().requestBodyIdle().toMillis();
        this.overallTimeoutNanos = config.timeout().overall().toNanos();
        this.latencyDecayNanos = balancer.needsLatency() ? config.latencyDecay().toNanos() : 0;
        this.gate = new RequestGate(config.limits().maxHeaders(),
                maxBodySize.map(MemorySize::asLongValue).orElse(Long.MAX_VALUE));
        this.teTrailersToBackends = config.client().protocol() == LbConfig.BackendProtocol.H2C;
        this.forwardedHeaders = new ForwardedHeaders(
                TrustedProxies.parse(config.forwarded().trustedProxies().orElse(List.of())));
    }

    /** Entry point of every request on the traffic port. */
    public void handle(HttpServerRequest request) {
        request.pause();
        if (closingConnections.arrivedOnClosingConnection(request)) {
            closingConnections.close(request);
            return;
        }
        RequestGate.Rejection rejection = gate.check(request);
        if (rejection != null) {
            reject(request, rejection);
            return;
        }
        if (request.headers().contains(HttpHeaders.UPGRADE) && WebSocketTunnel.isWebSocketUpgrade(request)) {
            new WebSocketTunnel(this, request).start();
            return;
        }
        boolean closeAfter = RequestGate.mustCloseAfter(request) && closingConnections.mark(request);
        new ProxyExchange(this, request, closeAfter).start();
    }

    private void reject(HttpServerRequest request, RequestGate.Rejection rejection) {
        metrics.requestEnded(null, rejection.status(), Outcome.REJECTED, 0);
        if (closingConnections.mark(request)) {
            ErrorResponses.sendClosing(request.response(), rejection.status(), rejection.reason())
                    .onComplete(written -> closingConnections.close(request));
        } else {
            ErrorResponses.send(request.response(), rejection.status(), rejection.reason());
        }
    }

    /** The headers of a WebSocket upgrade, which always travels over HTTP/1.1 (so never with a TE). */
    MultiMap upgradeHeaders(HttpServerRequest request, HostAndPort authority) {
        MultiMap headers = MultiMap.caseInsensitiveMultiMap();
        writeOutgoingHeaders(request, authority, headers, false);
        return headers;
    }

    /**
     * The headers a backend is sent, written straight into the backend request's (empty) header map: the client's
     * end-to-end headers but Host (the backend request's authority carries it) and Expect (answered here), plus
     * the X-Forwarded-* headers.
     */
    void writeOutgoingHeaders(HttpServerRequest request, HostAndPort authority, MultiMap target) {
        writeOutgoingHeaders(request, authority, target, teTrailersToBackends);
    }

    private void writeOutgoingHeaders(HttpServerRequest request, HostAndPort authority, MultiMap target,
            boolean teTrailers) {
        HopByHopHeaders.copyEndToEndRequest(request.headers(), target, teTrailers);
        forwardedHeaders.apply(request, authority, target);
    }

    String forwardedUri(HttpServerRequest request) {
        String uri = request.uri();
        if (isOriginForm(uri)) {
            return uri;
        }
        // absolute-form (RFC 9112 §3.2.2): a reverse proxy passes on the origin-form
        String query = request.query();
        return (request.path() == null ? "/" : request.path()) + (query == null ? "" : "?" + query);
    }

    /**
     * The Host the backend is told: the client's, except for an absolute-form request, whose target's
     * authority replaces any Host header (RFC 9112 §3.2.2).
     */
    HostAndPort forwardedAuthority(HttpServerRequest request) {
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

    private static boolean isOriginForm(String uri) {
        return uri.startsWith("/") || uri.equals("*");
    }

    /** Shutdown: from now on every new request is answered 503 and its connection closed. */
    public void stopAccepting() {
        gate.refuseAll();
    }

    /** Requests being proxied right now (WebSocket tunnels not included). */
    public int exchangesInFlight() {
        return budget.requestsInFlight();
    }

    ClosingConnections closingConnections() {
        return closingConnections;
    }

    Vertx vertx() {
        return vertx;
    }

    BackendClient client() {
        return client;
    }

    /** HTTP/1.1 whatever {@code lb.client.protocol} says: WebSocket upgrades exist only there. */
    HttpClient upgradeClient() {
        return upgradeClient;
    }

    /** The affinity token the client sent, or null (always null when sticky sessions are off). */
    String stickyToken(HttpServerRequest request) {
        return sticky == null ? null : sticky.requestedToken(request);
    }

    /**
     * The backend for the next try: on a first try the client's sticky backend if it can take traffic, otherwise
     * the strategy's choice among the backends not yet tried.
     */
    Backend chooseBackend(String stickyToken, List<Backend> tried) {
        if (stickyToken != null && tried.isEmpty()) {
            Backend stuck = sticky.backendFor(stickyToken);
            if (stuck != null) {
                return stuck;
            }
        }
        return balancer.choose(tried::contains);
    }

    /** After a response head: gives the client its affinity cookie when it lacks the right one. */
    void stick(HttpServerRequest request, String stickyToken, Backend backend) {
        if (sticky != null) {
            sticky.stick(request, stickyToken, backend, request.response());
        }
    }


    Balancer balancer() {
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

    Rejections rejections() {
        return rejections;
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

    long requestBodyIdleMillis() {
        return requestBodyIdleMillis;
    }

    /** Feeds the latency-aware strategy; a no-op (one branch) under least connections. */
    void recordLatency(Backend backend, long nanos) {
        if (latencyDecayNanos > 0) {
            backend.latency().observe(nanos, System.nanoTime(), latencyDecayNanos);
        }
    }

    long overallTimeoutNanos() {
        return overallTimeoutNanos;
    }
}

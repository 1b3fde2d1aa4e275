package io.lb.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithParentName;

/**
 * Everything under {@code lb.*}. Values are checked by {@link ConfigValidator} at startup, which names the
 * key and the bad value, so that a typo fails the deployment instead of a request.
 */
@ConfigMapping(prefix = "lb")
public interface LbConfig {

    /** Comma-separated backend URLs, each {@code http://host:port} with an optional {@code ;weight=N}. */
    Optional<List<String>> backends();

    /** Where the backends come from: {@code lb.backends} or Kubernetes EndpointSlices. */
    Discovery discovery();

    /**
     * Named backend pools, {@code lb.pools.<pool>.*}: their backends (or discovery) and, where they differ from
     * the global keys, their policies. {@code lb.backends} (or {@code lb.discovery}) is the pool {@code default}.
     */
    Map<String, Pool> pools();

    /** Which requests go to which pool, {@code lb.routes.<route>.*}; see io.lb.routing.RouteTable. */
    Map<String, RouteSettings> routes();

    /** {@code least-connections} (default) or {@code peak-ewma} (latency-aware); see io.lb.balancer.Strategy. */
    @WithDefault("least-connections")
    String strategy();

    /** Time constant of the peak-EWMA latency estimate: how fast a faster backend earns its traffic back. */
    @WithDefault("10s")
    Duration latencyDecay();

    Client client();

    Timeout timeout();

    Retry retry();

    Health health();

    Outlier outlier();

    SlowStart slowStart();

    /** Cookie-based session affinity; off by default. */
    Sticky sticky();

    Limits limits();

    Forwarded forwarded();

    /** The request id every exchange carries to the backend, back to the client, and into the access log. */
    RequestId requestId();

    /** One line per client request, in the category {@code io.lb.access}. */
    AccessLog accessLog();

    interface RequestId {
        /** Off: no id is added (a client's own header still passes through like any other). */
        @WithDefault("true")
        boolean enabled();

        /** The header that carries it. A client's value is kept when it is at most 200 printable characters. */
        @WithDefault("X-Request-Id")
        String header();
    }

    interface AccessLog {
        /** Also on when {@code quarkus.http.access-log.enabled=true}. */
        @WithDefault("false")
        boolean enabled();

        /** {@code text} (NGINX's combined format plus the upstream fields) or {@code json} (one object a line). */
        @WithDefault("text")
        String format();
    }

    /**
     * One named pool. Every policy key is optional: unset, the global key of the same name (without
     * {@code pools.<pool>.}) applies.
     */
    interface Pool {
        /** Comma-separated backend URLs, as {@code lb.backends}. */
        Optional<List<String>> backends();

        PoolDiscovery discovery();

        Optional<String> strategy();

        Optional<Duration> latencyDecay();

        PoolHealth health();

        PoolRetry retry();

        PoolTimeout timeout();

        PoolSticky sticky();

        PoolSlowStart slowStart();

        PoolOutlier outlier();
    }

    /** {@code lb.pools.<pool>.discovery}: {@code kubernetes}, with the same sub-keys as {@code lb.discovery}. */
    interface PoolDiscovery {
        @WithParentName
        Optional<String> mode();

        Discovery.Kubernetes kubernetes();
    }

    interface PoolHealth {
        Optional<Duration> interval();

        Optional<Duration> downInterval();

        Optional<Duration> timeout();

        Optional<String> path();

        Optional<String> statuses();

        Optional<Integer> fall();

        Optional<Integer> rise();

        Optional<Double> jitter();

        Optional<String> type();

        Health.Grpc grpc();
    }

    interface PoolRetry {
        Optional<Integer> maxAttempts();

        Optional<Set<String>> idempotentMethods();

        Optional<Set<Integer>> onStatuses();
    }

    interface PoolTimeout {
        Optional<Duration> response();
    }

    interface PoolSticky {
        Optional<Boolean> enabled();

        Optional<String> cookie();
    }

    interface PoolSlowStart {
        Optional<Duration> window();
    }

    interface PoolOutlier {
        Optional<Integer> consecutiveErrors();

        Optional<Duration> baseEjectionTime();

        Optional<Duration> maxEjectionTime();

        Optional<Integer> maxEjectionPercent();

        Optional<Integer> panicThreshold();
    }

    /** One route: requests for {@code host} (any, if unset) under {@code path-prefix} go to {@code pool}. */
    interface RouteSettings {
        /** The pool this route leads to. Required. */
        Optional<String> pool();

        /** {@code api.example.com} or {@code *.example.com}; port and case of the request's host are ignored. */
        Optional<String> host();

        /** Segment-aware: {@code /api} matches /api, /api/ and /api/x, not /apix. */
        @WithDefault("/")
        String pathPrefix();

        /** Send {@code /api/x} to the backend as {@code /x}. */
        @WithDefault("false")
        boolean stripPrefix();

        /** Headers changed on the request, towards the backend. */
        HeaderChanges requestHeaders();

        /** Headers changed on the response, towards the client. */
        HeaderChanges responseHeaders();

        /** A token bucket per client of this route; off unless requests-per-second is set. Per replica. */
        RateLimit rateLimit();
    }

    /** {@code lb.routes.<route>.rate-limit.*}: beyond the bucket, 429 with Retry-After. */
    interface RateLimit {
        /** Tokens added per second; unset: no limit. */
        Optional<Double> requestsPerSecond();

        /** The bucket's size: requests a client may send at once after a quiet spell. Unset: requests-per-second. */
        Optional<Integer> burst();

        /** Whose bucket: {@code client} (its address, after trusted proxies) or {@code header:<Name>}. */
        @WithDefault("client")
        String key();
    }

    /** {@code set.<Header-Name>=value} replaces or adds a header; {@code remove=Name,Other} removes headers. */
    interface HeaderChanges {
        Map<String, String> set();

        Optional<List<String>> remove();
    }

    interface Client {
        /** Most pooled HTTP/1.1 connections the balancer keeps open to one backend. */
        @WithDefault("1000")
        int maxConnectionsPerBackend();

        /**
         * Most tries that may wait in line for a pooled connection to one backend once every connection is busy
         * (Envoy's pending requests, HAProxy's {@code maxqueue}). A try beyond it fails at once without sending
         * anything: it goes to another backend, or the client gets 503. HTTP/1.1 backends: each event
         * loop has its own line with an even share of this, rounded up, as for
         * {@link #maxConnectionsPerBackend()}. h2c backends: the Vert.x client's wait queue of this size.
         */
        @WithDefault("1024")
        int maxPendingPerBackend();

        /**
         * How long an unused pooled connection is kept. Keep it below the backends' own keep-alive timeout so
         * the balancer never reuses a connection the backend is closing (Node.js closes after 5 s).
         */
        @WithDefault("4s")
        Duration keepAliveTimeout();

        /** How the balancer speaks to backends: {@code http1} (default) or {@code h2c} (HTTP/2). */
        @WithDefault("http1")
        BackendProtocol protocol();

        /** TLS towards {@code https://} backends. */
        ClientTls tls();
    }

    /** The protocol of proxied requests towards backends. WebSocket tunnels always use HTTP/1.1. */
    enum BackendProtocol {
        /** HTTP/1.1 over a pool of keep-alive connections. */
        HTTP1,
        /** HTTP/2: prior knowledge (h2c) for {@code http://} backends, ALPN h2 for {@code https://} ones. */
        H2C
    }

    /** Verification of backends' certificates; on by default against the JDK's trust store. */
    interface ClientTls {
        /** PEM files of the certificates (or CAs) trusted for backends, instead of the JDK's trust store. */
        Optional<List<String>> trustCertificateFiles();

        /** A named configuration of the Quarkus TLS registry ({@code quarkus.tls.<name>.*}) for backends. */
        Optional<String> configurationName();

        /** Accept any backend certificate and host name. Insecure: for tests only; logged as a warning. */
        @WithDefault("false")
        boolean trustAll();
    }

    interface Timeout {
        /** TCP (and TLS) connection set-up to a backend. */
        @WithDefault("2s")
        Duration connect();

        /** Per try: from the request being sent to the backend's response headers. */
        @WithDefault("15s")
        Duration response();

        /** Longest silence from the backend while its response body streams. */
        @WithDefault("60s")
        Duration idle();

        /** Whole request, across every try, until response headers arrive. */
        @WithDefault("30s")
        Duration overall();

        /**
         * Longest a client may take to send a request head: from the connection's accept for its first request,
         * from the first byte of the head for each later one on a kept-alive connection (the wait for that first
         * byte is {@code quarkus.http.idle-timeout}'s). Past it the client gets 408 and the connection is closed
         * (closed without an answer when no byte of a request had arrived). HAProxy's {@code timeout
         * http-request}, NGINX's {@code client_header_timeout}. HTTP/1.x on the balancer's own traffic listener.
         */
        @WithDefault("10s")
        Duration requestHeader();

        /**
         * Longest silence from a client while the balancer is reading its request body (time it holds the body
         * back itself, waiting for a backend, does not count). Past it the client gets 408 and its connection
         * is closed, or, once the response has begun, its connection is reset. NGINX's
         * {@code client_body_timeout}.
         */
        @WithDefault("30s")
        Duration requestBodyIdle();
    }

    interface Sticky {
        /** Sends a client back to the backend that served it first, while that backend is UP. */
        @WithDefault("false")
        boolean enabled();

        /** Name of the affinity cookie the balancer sets. */
        @WithDefault("LB_AFFINITY")
        String cookie();
    }

    interface Retry {
        /** Tries per request, the first one included. 1 disables retries. */
        @WithDefault("3")
        int maxAttempts();

        /**
         * Methods retried after the request may have reached a backend (reset before the response, per-try
         * timeout, retry-on status). Connection failures before anything was sent are retried for any method.
         */
        @WithDefault("GET,HEAD,OPTIONS,PUT,DELETE,TRACE")
        Set<String> idempotentMethods();

        /** Response statuses from a backend that are retried (idempotent methods only). Empty: none. */
        @WithDefault("502,503,504")
        Optional<Set<Integer>> onStatuses();

        /** Request bodies up to this size are kept so that they can be sent again; larger ones stream once. */
        @WithDefault("128K")
        MemorySize bodyBufferSize();

        Budget budget();

        /**
         * Rations retries after timeouts (connection failures are never rationed). Envoy's 20 % / 3 proved too
         * tight in bench/fault.sh: when one backend of three hangs, the third of the requests in flight that
         * were on it all time out together, and 20 % turned some of them into 504s. Half still caps the load a
         * pool of slow backends can be sent at 1.5×.
         */
        interface Budget {
            /** Retries in flight may be at most this share of requests in flight... */
            @WithDefault("0.5")
            double ratio();

            /** ...but at least this many, so that a quiet balancer can still retry. */
            @WithDefault("10")
            int minConcurrent();
        }
    }

    /**
     * {@code lb.discovery} is both a value (the mode) and the prefix of the Kubernetes keys: the mode is mapped
     * with {@link WithParentName}, so it is read from {@code lb.discovery} itself (env {@code LB_DISCOVERY}).
     */
    interface Discovery {
        /**
         * {@code static}: the backends are {@code lb.backends}. {@code kubernetes}: the ready endpoints of
         * the Service {@code lb.discovery.kubernetes.service}, followed live through its EndpointSlices.
         * Checked at startup by {@code io.lb.discovery.DiscoveryMode}.
         */
        @WithParentName
        @WithDefault("static")
        String mode();

        Kubernetes kubernetes();

        interface Kubernetes {
            /** Name of the Service whose endpoints are the backends. Required with lb.discovery=kubernetes. */
            Optional<String> service();

            /** Namespace of that Service. Default: the balancer pod's own namespace. */
            Optional<String> namespace();

            /** The Service port to send traffic to, by name. Default: the only (or first) port. */
            Optional<String> portName();
        }
    }

    /** Active health checks: probes of every backend, with rise/fall thresholds (see docs/health.md). */
    interface Health {
        /**
         * What a probe asks: {@code http} (a GET of {@link #path()}, healthy by {@link #statuses()}), {@code grpc}
         * (the standard {@code grpc.health.v1.Health/Check}, healthy when SERVING) or {@code tcp} (a connect).
         * HTTP probes speak what traffic speaks ({@code lb.client.protocol}); gRPC probes always HTTP/2.
         */
        @WithDefault("http")
        String type();

        /** Settings of {@code grpc} probes. */
        Grpc grpc();

        interface Grpc {
            /** The service whose health a {@code grpc} probe asks for; unset: the server's overall health. */
            Optional<String> service();
        }

        /** Probe period for backends that are UP. */
        @WithDefault("20s")
        Duration interval();

        /**
         * Probe period for backends that are DOWN or that failed their last probe (HAProxy's fastinter), so
         * that recovery and confirmation of a failure do not wait a whole {@link #interval()}.
         */
        @WithDefault("2s")
        Duration downInterval();

        /** Longest a probe may take, connection included. */
        @WithDefault("2s")
        Duration timeout();

        /** Path probed with GET on each backend. */
        @WithDefault("/")
        String path();

        /** Statuses that count as healthy: comma-separated statuses and ranges, e.g. {@code 200-299,404}. */
        @WithDefault("200-399")
        String statuses();

        /** Consecutive failed probes that take an UP backend DOWN. */
        @WithDefault("3")
        int fall();

        /** Consecutive good probes that bring a DOWN backend back UP. */
        @WithDefault("2")
        int rise();

        /**
         * Each probe waits a random delay up to this share of its period (0.1 = 10 %), so that replicas do not
         * probe in lockstep. 0 disables.
         */
        @WithDefault("0.1")
        double jitter();
    }

    /** Passive outlier ejection of backends that answer but fail (Envoy's consecutive_5xx). */
    interface Outlier {
        /** Consecutive 5xx responses or gateway errors (timeouts, cut responses) that eject a backend. */
        @WithDefault("5")
        int consecutiveErrors();

        /** Ejection time, multiplied by the number of times the backend has been ejected. */
        @WithDefault("30s")
        Duration baseEjectionTime();

        /** Cap on one ejection's duration. */
        @WithDefault("300s")
        Duration maxEjectionTime();

        /** No ejection happens if it would leave more than this percentage of the backends ejected. */
        @WithDefault("50")
        int maxEjectionPercent();

        /**
         * Envoy's healthy panic threshold: when fewer than this percentage of a pool's backends can take traffic,
         * ejection is ignored and every backend that is not DOWN is a candidate. 0 disables it.
         */
        @WithDefault("50")
        int panicThreshold();
    }

    /** A backend that comes UP (or is added) takes a growing share of new requests over this window. */
    interface SlowStart {
        /** Ramp-up time; 0 disables slow start. */
        @WithDefault("10s")
        Duration window();
    }

    interface Limits {
        /** Requests with more header fields than this are answered 431 (sizes: quarkus.http.limits.*). */
        @WithDefault("100")
        int maxHeaders();
    }

    interface Forwarded {
        /**
         * CIDR blocks of proxies in front of the balancer whose X-Forwarded-Proto and X-Forwarded-Host are
         * passed on. Everyone else's are overwritten. X-Forwarded-For is always appended to.
         */
        Optional<List<String>> trustedProxies();
    }
}

package io.lb.config;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Everything under {@code lb.*}. Values are checked by {@link ConfigValidator} at startup, which names the
 * key and the bad value, so that a typo fails the deployment instead of a request.
 */
@ConfigMapping(prefix = "lb")
public interface LbConfig {

    /** Comma-separated backend URLs, each {@code http://host:port} with an optional {@code ;weight=N}. */
    Optional<List<String>> backends();

    Client client();

    Timeout timeout();

    Retry retry();

    /** Cookie-based session affinity; off by default. */
    Sticky sticky();

    interface Client {
        /** Most pooled HTTP/1.1 connections the balancer keeps open to one backend. */
        @WithDefault("1000")
        int maxConnectionsPerBackend();

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

        interface Budget {
            /** Retries in flight may be at most this share of requests in flight... */
            @WithDefault("0.2")
            double ratio();

            /** ...but at least this many, so that a quiet balancer can still retry. */
            @WithDefault("3")
            int minConcurrent();
        }
    }
}

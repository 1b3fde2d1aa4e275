package io.lb.tracing;

import io.lb.balancer.Backend;
import io.lb.config.BackendSpec;
import io.lb.proxy.Exchange;
import io.lb.proxy.Outcome;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.semconv.ErrorAttributes;
import io.opentelemetry.semconv.HttpAttributes;
import io.opentelemetry.semconv.NetworkAttributes;
import io.opentelemetry.semconv.ServerAttributes;
import io.opentelemetry.semconv.UrlAttributes;
import io.opentelemetry.semconv.UserAgentAttributes;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.HostAndPort;
import io.vertx.core.net.SocketAddress;

/**
 * What the spans say, in the names of OpenTelemetry's HTTP semantic conventions where they have one, and under
 * {@code lb.*} for the balancer's own terms (route, pool, backend, tries, retry reasons, outcome). What a sampler
 * may decide on (method, path, route) is set when the span starts.
 */
final class SpanAttributes {

    static final AttributeKey<String> ROUTE = AttributeKey.stringKey("lb.route");
    static final AttributeKey<String> POOL = AttributeKey.stringKey("lb.pool");
    static final AttributeKey<String> BACKEND = AttributeKey.stringKey("lb.backend");
    static final AttributeKey<String> REQUEST_ID = AttributeKey.stringKey("lb.request_id");
    static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("lb.outcome");
    static final AttributeKey<Long> TRIES = AttributeKey.longKey("lb.tries");
    static final AttributeKey<String> RETRIES = AttributeKey.stringKey("lb.retry_reasons");
    static final AttributeKey<Long> TRY = AttributeKey.longKey("lb.try");
    static final AttributeKey<String> RETRY_REASON = AttributeKey.stringKey("lb.retry_reason");
    static final AttributeKey<Boolean> TUNNEL = AttributeKey.booleanKey("lb.websocket");
    static final AttributeKey<String> REASON = AttributeKey.stringKey("lb.reason");

    /** The HTTP version tries are made in ({@code lb.client.protocol}); WebSocket upgrades always go as 1.1. */
    private final String backendVersion;

    SpanAttributes(String backendVersion) {
        this.backendVersion = backendVersion;
    }

    static Attributes reason(String reason) {
        return Attributes.of(REASON, reason);
    }

    SpanBuilder startExchange(SpanBuilder span, Exchange exchange) {
        HttpServerRequest request = exchange.request();
        span.setSpanKind(SpanKind.SERVER)
                .setAttribute(HttpAttributes.HTTP_REQUEST_METHOD, request.method().name())
                .setAttribute(UrlAttributes.URL_SCHEME, request.isSSL() ? "https" : "http")
                .setAttribute(NetworkAttributes.NETWORK_PROTOCOL_VERSION, version(request));
        setIfPresent(span, UrlAttributes.URL_PATH, request.path());
        setIfPresent(span, UrlAttributes.URL_QUERY, request.query());
        HostAndPort authority = request.authority();
        if (authority != null) {
            span.setAttribute(ServerAttributes.SERVER_ADDRESS, authority.host());
            int port = authority.port() > 0 ? authority.port() : localPort(request);
            if (port > 0) {
                span.setAttribute(ServerAttributes.SERVER_PORT, port);
            }
        }
        SocketAddress peer = request.remoteAddress();
        if (peer != null) {
            setIfPresent(span, NetworkAttributes.NETWORK_PEER_ADDRESS, peer.hostAddress());
            if (peer.port() > 0) {
                span.setAttribute(NetworkAttributes.NETWORK_PEER_PORT, peer.port());
            }
        }
        setIfPresent(span, UserAgentAttributes.USER_AGENT_ORIGINAL, request.getHeader("User-Agent"));
        if (exchange.route() != null) {
            span.setAttribute(ROUTE, exchange.route().name());
        }
        setIfPresent(span, POOL, exchange.pool());
        setIfPresent(span, REQUEST_ID, exchange.requestId());
        if (exchange.tunnel()) {
            span.setAttribute(TUNNEL, true);
        }
        return span;
    }

    /** Server-side, a 5xx is an error and a 4xx is not (the client's); so is an exchange that ended with no status. */
    void endExchange(Span span, Exchange exchange) {
        if (!span.isRecording()) {
            return;
        }
        int status = exchange.status();
        Outcome outcome = exchange.outcome();
        if (status > 0) {
            span.setAttribute(HttpAttributes.HTTP_RESPONSE_STATUS_CODE, status);
        }
        span.setAttribute(OUTCOME, outcome.tag());
        span.setAttribute(TRIES, exchange.tries());
        if (!exchange.retryReasons().isEmpty()) {
            span.setAttribute(RETRIES, exchange.retryReasons());
        }
        if (exchange.backend() != null) {
            span.setAttribute(BACKEND, exchange.backend().id());
        }
        if (status >= 500) {
            span.setAttribute(ErrorAttributes.ERROR_TYPE, Integer.toString(status));
            span.setStatus(StatusCode.ERROR);
        } else if (status == 0 && outcome != Outcome.SUCCESS) {
            span.setAttribute(ErrorAttributes.ERROR_TYPE, outcome.tag());
            span.setStatus(StatusCode.ERROR);
        }
    }

    SpanBuilder startTry(SpanBuilder span, Exchange exchange, Backend backend, String retryReason) {
        BackendSpec spec = backend.spec();
        span.setSpanKind(SpanKind.CLIENT)
                .setAttribute(HttpAttributes.HTTP_REQUEST_METHOD, exchange.request().method().name())
                .setAttribute(ServerAttributes.SERVER_ADDRESS, spec.host())
                .setAttribute(ServerAttributes.SERVER_PORT, spec.port())
                .setAttribute(NetworkAttributes.NETWORK_PROTOCOL_VERSION, exchange.tunnel() ? "1.1" : backendVersion)
                .setAttribute(BACKEND, backend.id())
                .setAttribute(TRY, exchange.tries());
        if (exchange.backendUri() != null) {
            span.setAttribute(UrlAttributes.URL_FULL, spec.url() + exchange.backendUri());
        }
        if (isIpLiteral(spec.host())) {
            span.setAttribute(NetworkAttributes.NETWORK_PEER_ADDRESS, unbracketed(spec.host()));
            span.setAttribute(NetworkAttributes.NETWORK_PEER_PORT, spec.port());
        }
        setIfPresent(span, POOL, exchange.pool());
        if (exchange.route() != null) {
            span.setAttribute(ROUTE, exchange.route().name());
        }
        setIfPresent(span, RETRY_REASON, retryReason);
        return span;
    }

    /**
     * {@code failure} is why the try gave no usable response (null if it gave one). Client-side, a 4xx is an
     * error too, as the conventions have it.
     */
    void endTry(Span span, int status, String failure) {
        if (!span.isRecording()) {
            return;
        }
        if (status > 0) {
            span.setAttribute(HttpAttributes.HTTP_RESPONSE_STATUS_CODE, status);
        }
        if (failure != null) {
            span.setAttribute(ErrorAttributes.ERROR_TYPE, failure);
            span.setStatus(StatusCode.ERROR);
        } else if (status >= 400) {
            span.setAttribute(ErrorAttributes.ERROR_TYPE, Integer.toString(status));
            span.setStatus(StatusCode.ERROR);
        }
    }

    private static String version(HttpServerRequest request) {
        return switch (request.version()) {
            case HTTP_1_0 -> "1.0";
            case HTTP_1_1 -> "1.1";
            case HTTP_2 -> "2";
        };
    }

    private static int localPort(HttpServerRequest request) {
        SocketAddress local = request.localAddress();
        return local == null ? -1 : local.port();
    }

    /** A backend named by address (as discovered endpoints are), not by a name to resolve. */
    private static boolean isIpLiteral(String host) {
        if (host.indexOf(':') >= 0) {
            return true; // IPv6, with or without brackets
        }
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            if (c != '.' && (c < '0' || c > '9')) {
                return false;
            }
        }
        return !host.isEmpty();
    }

    private static String unbracketed(String host) {
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    private static void setIfPresent(SpanBuilder span, AttributeKey<String> key, String value) {
        if (value != null) {
            span.setAttribute(key, value);
        }
    }

    private static void setIfPresent(Span span, AttributeKey<String> key, String value) {
        if (value != null) {
            span.setAttribute(key, value);
        }
    }
}

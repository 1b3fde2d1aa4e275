package io.lb.tracing;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.lb.balancer.Backend;
import io.lb.config.LbConfig;
import io.lb.proxy.Exchange;
import io.lb.proxy.ExchangeListener;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.common.Clock;
import io.vertx.core.MultiMap;

/**
 * OpenTelemetry spans for exchanges: a SERVER span per client request (HTTP/1.x request, HTTP/2 stream or WebSocket
 * tunnel), the child of the client's W3C {@code traceparent} when it sent one, and under it a CLIENT span per try,
 * whose context the backend receives as its {@code traceparent}. On only with {@code quarkus.otel.sdk.disabled=false};
 * otherwise this listener is left out at startup ({@link #enabled}) and a client's trace headers reach the backend
 * as they came, like any other end-to-end header.
 * <p>
 * An exchange's calls all come on its event loop; the map only hands each exchange's spans from one call to the
 * next. Spans are exported by the SDK's batch processor, which never blocks the caller (it drops spans when its
 * queue is full).
 */
@Singleton
public class ExchangeTracing implements ExchangeListener {

    /** The instrumentation scope the spans are reported under. */
    static final String SCOPE = "io.lb";

    private final boolean enabled;
    private final Tracer tracer;
    private final SpanAttributes attributes;
    private final Clock clock = Clock.getDefault();
    private final Map<Exchange, Spans> open = new ConcurrentHashMap<>();

    @Inject
    public ExchangeTracing(@ConfigProperty(name = "quarkus.otel.sdk.disabled", defaultValue = "false") boolean disabled,
            Instance<OpenTelemetry> openTelemetry, LbConfig config) {
        this.enabled = !disabled && openTelemetry.isResolvable(); // the extension may be built without traces
        this.tracer = enabled ? openTelemetry.get().getTracer(SCOPE) : null;
        this.attributes = new SpanAttributes(config.client().protocol() == LbConfig.BackendProtocol.H2C ? "2" : "1.1");
    }

    @Override
    public boolean enabled() {
        return enabled;
    }

    @Override
    public boolean writesTryHeaders() {
        return true;
    }

    @Override
    public void exchangeStarted(Exchange exchange) {
        open.put(exchange, new Spans(serverSpan(exchange)));
    }

    @Override
    public void tryStarted(Exchange exchange, Backend backend, String retryReason) {
        Spans spans = open.get(exchange);
        if (spans == null) {
            return;
        }
        if (spans.client != null) { // not heard of as over: cannot happen, but a span must never stay open
            attributes.endTry(spans.client, 0, "superseded");
            spans.client.end();
        }
        spans.client = attributes.startTry(tracer.spanBuilder(exchange.request().method().name()), exchange, backend,
                retryReason)
                .setParent(Context.root().with(spans.server))
                .startSpan();
    }

    /** The try's CLIENT span becomes the backend's {@code traceparent}; {@code tracestate} passes as it came. */
    @Override
    public void tryHeaders(Exchange exchange, Backend backend, MultiMap headers) {
        Spans spans = open.get(exchange);
        if (spans != null && spans.client != null) {
            W3CTraceContextPropagator.getInstance().inject(Context.root().with(spans.client), headers,
                    TraceHeaders.SETTER);
        }
    }

    @Override
    public void tryEnded(Exchange exchange, Backend backend, int status, String failure) {
        endTry(open.get(exchange), status, failure);
    }

    /** The try that switched protocols is over: its backend answered 101; the SERVER span lasts as the tunnel does. */
    @Override
    public void tunnelOpened(Exchange exchange) {
        Spans spans = open.get(exchange);
        endTry(spans, 101, null);
        if (spans != null) {
            spans.server.addEvent("lb.tunnel_opened");
        }
    }

    @Override
    public void retryAbandoned(Exchange exchange, String reason) {
        Spans spans = open.get(exchange);
        if (spans != null) {
            spans.server.addEvent("lb.retry_abandoned", SpanAttributes.reason(reason));
        }
    }

    @Override
    public void admissionRejected(Exchange exchange, String reason) {
        Spans spans = open.get(exchange);
        if (spans != null) {
            spans.server.addEvent("lb.admission_rejected", SpanAttributes.reason(reason));
        }
    }

    @Override
    public void exchangeEnded(Exchange exchange) {
        Spans spans = open.remove(exchange);
        // a request turned away before it was routed is heard of only now: its span starts at its arrival anyway
        Span server = spans == null ? serverSpan(exchange) : spans.server;
        if (spans != null && spans.client != null) { // the exchange ended while a try was under way
            endTry(spans, 0, exchange.outcome().tag());
        }
        attributes.endExchange(server, exchange);
        server.end();
    }

    private Span serverSpan(Exchange exchange) {
        Context parent = W3CTraceContextPropagator.getInstance().extract(Context.root(),
                exchange.request().headers(), TraceHeaders.GETTER);
        return attributes.startExchange(tracer.spanBuilder(exchange.request().method().name()), exchange)
                .setParent(parent)
                .setStartTimestamp(epochNanos(exchange.startNanos()), TimeUnit.NANOSECONDS)
                .startSpan();
    }

    private void endTry(Spans spans, int status, String failure) {
        if (spans != null && spans.client != null) {
            attributes.endTry(spans.client, status, failure);
            spans.client.end();
            spans.client = null;
        }
    }

    /** The wall-clock time of a {@link System#nanoTime()} reading taken a moment ago. */
    private long epochNanos(long nanoTime) {
        return clock.now() - (System.nanoTime() - nanoTime);
    }

    /** Exchanges being traced right now (for tests: every span is ended and forgotten). */
    int open() {
        return open.size();
    }

    /** An exchange's SERVER span and the CLIENT span of its try in flight, if any. */
    private static final class Spans {
        final Span server;
        Span client;

        Spans(Span server) {
            this.server = server;
        }
    }
}

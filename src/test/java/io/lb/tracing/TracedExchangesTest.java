package io.lb.tracing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.lb.balancer.BackendPool;
import io.lb.config.BackendSpecParser;
import io.lb.testing.Behaviours;
import io.lb.testing.Pools;
import io.lb.testing.RawHttp;
import io.lb.testing.TestBackend;
import io.lb.testing.WebSocketBackend;
import io.lb.tracing.OtlpReceiver.Received;
import io.opentelemetry.proto.trace.v1.Span.SpanKind;
import io.opentelemetry.proto.trace.v1.Status.StatusCode;
import io.quarkus.test.common.http.TestHTTPResource;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketConnectOptions;

/**
 * Tracing on, exported over OTLP to a receiver on loopback and decoded there (the subclasses: gRPC with h2c to the
 * backends, http/protobuf with HTTP/1.1). What must hold: a client's trace goes on through the balancer (its
 * {@code traceparent} the SERVER span's parent) to the backend (whose {@code traceparent} is the try's CLIENT
 * span, its {@code tracestate} unchanged); one SERVER span per request and one CLIENT span per try, nothing else
 * (no span of Quarkus' own instrumentation, none for the management port's probes); HTTP/2 streams, WebSocket
 * tunnels and requests turned away included.
 */
abstract class TracedExchangesTest {

    static final String TRACESTATE = "congo=t61rcWkgMzE, rojo=00f067aa0ba902b7";

    /** Injected by {@link OtlpReceiverResource}. */
    OtlpReceiver receiver;

    final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @TestHTTPResource("/")
    URI proxy;

    @TestHTTPResource(value = "/", management = true)
    URI management;

    @Inject
    BackendPool pool;

    @Inject
    ExchangeTracing tracing;

    @Inject
    Vertx vertx;

    TestBackend backend;

    /** The HTTP version of the balancer's requests to its backends, as the CLIENT spans must say. */
    abstract String backendVersion();

    /** How the exports must have arrived at the receiver. */
    abstract String exportedAs();

    @BeforeEach
    void install() {
        backend = TestBackend.start("traced");
        Pools.use(pool, backend);
    }

    @AfterEach
    void everythingEnded() {
        Pools.awaitAllIdle(pool);
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> tracing.open() == 0);
        backend.close();
    }

    @Test
    void theClientsTraceGoesOnThroughTheBalancerToTheBackend() throws Exception {
        String traceId = randomHex(16);
        String clientSpan = randomHex(8);
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(proxy.resolve("/orders/7?full=1"))
                .header("traceparent", "00-" + traceId + "-" + clientSpan + "-01")
                .header("tracestate", TRACESTATE)
                .header("User-Agent", "tracing-test")
                .build(), BodyHandlers.ofString());
        assertEquals(200, response.statusCode());

        TestBackend.ReceivedRequest seen = backend.lastRequest();
        assertEquals(1, seen.headers().getAll("traceparent").size());
        String[] sent = seen.headers().get("traceparent").split("-");
        assertEquals("00", sent[0]);
        assertEquals(traceId, sent[1], "the backend's request is in the client's trace");
        assertNotEquals(clientSpan, sent[2], "its parent is the balancer's try, not the client's span");
        assertEquals("01", sent[3], "sampled, as the client said");
        assertEquals(TRACESTATE, seen.headers().get("tracestate"), "tracestate passes exactly as it came");

        flush();
        List<Received> trace = receiver.trace(traceId);
        assertEquals(2, trace.size(), "one SERVER span and one CLIENT span, nothing else: " + trace);
        Received server = only(trace, SpanKind.SPAN_KIND_SERVER);
        Received clientSide = only(trace, SpanKind.SPAN_KIND_CLIENT);
        assertEquals(clientSpan, server.parentSpanId(), "the SERVER span is the client's span's child");
        assertEquals(server.spanId(), clientSide.parentSpanId());
        assertEquals(sent[2], clientSide.spanId(), "the backend's traceparent names the try's CLIENT span");
        assertEquals(TRACESTATE.replace(" ", ""), server.span().getTraceState());

        assertEquals(ExchangeTracing.SCOPE, server.scope());
        assertEquals(ExchangeTracing.SCOPE, clientSide.scope());
        assertEquals("GET", server.span().getName());
        assertEquals("GET", server.attribute("http.request.method"));
        assertEquals("/orders/7", server.attribute("url.path"));
        assertEquals("full=1", server.attribute("url.query"));
        assertEquals("http", server.attribute("url.scheme"));
        assertEquals(proxy.getHost(), server.attribute("server.address"));
        assertEquals(Integer.toString(proxy.getPort()), server.attribute("server.port"));
        assertEquals("127.0.0.1", server.attribute("network.peer.address"));
        assertNotNull(server.attribute("network.peer.port"));
        assertEquals("1.1", server.attribute("network.protocol.version"));
        assertEquals("tracing-test", server.attribute("user_agent.original"));
        assertEquals("200", server.attribute("http.response.status_code"));
        assertEquals("default", server.attribute("lb.pool"));
        assertEquals("success", server.attribute("lb.outcome"));
        assertEquals("1", server.attribute("lb.tries"));
        assertEquals(backend.url(), server.attribute("lb.backend"));
        assertEquals(StatusCode.STATUS_CODE_UNSET, server.span().getStatus().getCode());

        assertEquals("GET", clientSide.span().getName());
        assertEquals("GET", clientSide.attribute("http.request.method"));
        assertEquals("127.0.0.1", clientSide.attribute("server.address"));
        assertEquals(Integer.toString(backend.port()), clientSide.attribute("server.port"));
        assertEquals("127.0.0.1", clientSide.attribute("network.peer.address"));
        assertEquals(backend.url() + "/orders/7?full=1", clientSide.attribute("url.full"));
        assertEquals(backendVersion(), clientSide.attribute("network.protocol.version"));
        assertEquals("200", clientSide.attribute("http.response.status_code"));
        assertEquals(backend.url(), clientSide.attribute("lb.backend"));
        assertEquals("default", clientSide.attribute("lb.pool"));
        assertEquals("1", clientSide.attribute("lb.try"));
        assertNull(clientSide.attribute("lb.retry_reason"));
        assertNull(clientSide.attribute("error.type"));
        assertTrue(clientSide.span().getStartTimeUnixNano() >= server.span().getStartTimeUnixNano());
        assertTrue(clientSide.span().getEndTimeUnixNano() <= server.span().getEndTimeUnixNano());

        assertTrue(receiver.requests().stream().allMatch(how -> how.equals(exportedAs())), receiver.requests()
                .toString());
    }

    @Test
    void aRequestWithoutTraceContextStartsATraceThatTheBackendJoins() throws Exception {
        assertEquals(200, client.send(HttpRequest.newBuilder(proxy.resolve("/fresh")).build(),
                BodyHandlers.ofString()).statusCode());
        String[] sent = backend.lastRequest().headers().get("traceparent").split("-");
        assertNull(backend.lastRequest().headers().get("tracestate"));
        flush();
        List<Received> trace = receiver.trace(sent[1]);
        assertEquals(2, trace.size(), trace.toString());
        Received server = only(trace, SpanKind.SPAN_KIND_SERVER);
        assertEquals("", server.parentSpanId(), "a root span");
        assertEquals(sent[2], only(trace, SpanKind.SPAN_KIND_CLIENT).spanId());
    }

    /**
     * Three tries: a backend that refuses the connection, one that reads the request and closes the connection
     * without an answer, and one that answers. Each try is a CLIENT span of its own, and each backend that got the
     * request got its own try's span as its traceparent.
     */
    @Test
    void everyTryIsAClientSpanOfItsOwnAndItsBackendSeesIt() throws Exception {
        TestBackend refusing = TestBackend.start("refusing");
        refusing.stop();
        TestBackend closing = TestBackend.start("closing").behave(Behaviours.closeAfterRequest());
        try {
            Pools.use(pool);
            pool.add(BackendSpecParser.parse(refusing.url() + ";weight=100"));
            pool.add(BackendSpecParser.parse(closing.url() + ";weight=10"));
            pool.add(BackendSpecParser.parse(backend.url() + ";weight=1"));
            String traceId = randomHex(16);
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(proxy.resolve("/retried"))
                    .header("traceparent", "00-" + traceId + "-" + randomHex(8) + "-01").build(),
                    BodyHandlers.ofString());
            assertEquals(200, response.statusCode());
            assertEquals("traced", response.body());
            String closingGot = closing.lastRequest().headers().get("traceparent");
            String answeringGot = backend.lastRequest().headers().get("traceparent");

            Pools.use(pool, backend);
            flush();
            List<Received> trace = receiver.trace(traceId);
            assertEquals(4, trace.size(), trace.toString());
            Received server = only(trace, SpanKind.SPAN_KIND_SERVER);
            List<Received> tries = trace.stream().filter(span -> span.kind() == SpanKind.SPAN_KIND_CLIENT)
                    .sorted((a, b) -> a.attribute("lb.try").compareTo(b.attribute("lb.try"))).toList();
            assertEquals(3, tries.size());
            tries.forEach(attempt -> assertEquals(server.spanId(), attempt.parentSpanId()));

            Received first = tries.get(0);
            assertEquals(Integer.toString(refusing.port()), first.attribute("server.port"));
            assertEquals("connect", first.attribute("error.type"));
            assertEquals(StatusCode.STATUS_CODE_ERROR, first.span().getStatus().getCode());
            assertNull(first.attribute("http.response.status_code"));
            assertNull(first.attribute("lb.retry_reason"));

            Received second = tries.get(1);
            assertEquals(Integer.toString(closing.port()), second.attribute("server.port"));
            assertEquals("connect", second.attribute("lb.retry_reason"));
            assertNotNull(second.attribute("error.type"));
            assertEquals(StatusCode.STATUS_CODE_ERROR, second.span().getStatus().getCode());
            assertEquals(second.spanId(), closingGot.split("-")[2]);

            Received third = tries.get(2);
            assertEquals(Integer.toString(backend.port()), third.attribute("server.port"));
            assertEquals(second.attribute("error.type"), third.attribute("lb.retry_reason"));
            assertEquals("200", third.attribute("http.response.status_code"));
            assertNull(third.attribute("error.type"));
            assertEquals(third.spanId(), answeringGot.split("-")[2]);

            assertEquals("3", server.attribute("lb.tries"));
            assertEquals("connect," + second.attribute("error.type"), server.attribute("lb.retry_reasons"));
            assertEquals("200", server.attribute("http.response.status_code"));
            for (int i = 1; i < tries.size(); i++) {
                assertTrue(tries.get(i).span().getStartTimeUnixNano() >= tries.get(i - 1).span().getEndTimeUnixNano(),
                        "tries follow one another");
            }
        } finally {
            closing.close();
        }
    }

    @Test
    void aBackendsErrorIsAnErrorOnBothSpans() throws Exception {
        backend.behave(Behaviours.status(500)); // not retried: a status that is (502, 503, 504) ends this try alike
        String traceId = randomHex(16);
        assertEquals(500, client.send(HttpRequest.newBuilder(proxy.resolve("/unwell"))
                .header("traceparent", "00-" + traceId + "-" + randomHex(8) + "-01").build(),
                BodyHandlers.ofString()).statusCode());
        flush();
        List<Received> trace = receiver.trace(traceId);
        Received server = only(trace, SpanKind.SPAN_KIND_SERVER);
        Received clientSide = only(trace, SpanKind.SPAN_KIND_CLIENT);
        assertEquals("500", server.attribute("http.response.status_code"));
        assertEquals("500", server.attribute("error.type"));
        assertEquals(StatusCode.STATUS_CODE_ERROR, server.span().getStatus().getCode());
        assertEquals("500", clientSide.attribute("http.response.status_code"));
        assertEquals("500", clientSide.attribute("error.type"));
        assertEquals(StatusCode.STATUS_CODE_ERROR, clientSide.span().getStatus().getCode());
    }

    /** Two concurrent streams on one HTTP/2 connection: a SERVER span each, each in its own client's trace. */
    @Test
    void everyHttp2StreamIsASpanInItsOwnTrace() throws Exception {
        backend.behave(Behaviours.slow("traced", 100));
        var h2 = vertx.createHttpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
                .setHttp2ClearTextUpgrade(false), new PoolOptions().setHttp2MaxSize(1));
        try {
            String one = randomHex(16);
            String two = randomHex(16);
            Future<Integer> first = h2Get(h2, "/stream/1", one);
            Future<Integer> second = h2Get(h2, "/stream/2", two);
            assertEquals(200, first.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS));
            assertEquals(200, second.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS));
            flush();
            for (String traceId : List.of(one, two)) {
                List<Received> trace = receiver.trace(traceId);
                assertEquals(2, trace.size(), trace.toString());
                Received server = only(trace, SpanKind.SPAN_KIND_SERVER);
                assertEquals("2", server.attribute("network.protocol.version"));
                assertEquals(server.spanId(), only(trace, SpanKind.SPAN_KIND_CLIENT).parentSpanId());
            }
            assertEquals("/stream/1", only(receiver.trace(one), SpanKind.SPAN_KIND_SERVER).attribute("url.path"));
        } finally {
            h2.close();
        }
    }

    /**
     * A WebSocket tunnel: its upgrade try is a CLIENT span that ends with the backend's 101 (and the backend got
     * it as its traceparent); the SERVER span lasts until the tunnel closes.
     */
    @Test
    void aWebSocketTunnelIsASpanUntilItCloses() throws Exception {
        WebSocketBackend sockets = WebSocketBackend.start();
        var webSockets = vertx.createWebSocketClient();
        try {
            Pools.useUrls(pool, sockets.url());
            String traceId = randomHex(16);
            String clientSpan = randomHex(8);
            WebSocket socket = webSockets.connect(new WebSocketConnectOptions().setHost("127.0.0.1")
                    .setPort(proxy.getPort()).setURI("/chat")
                    .addHeader("traceparent", "00-" + traceId + "-" + clientSpan + "-01"))
                    .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            var echoed = new java.util.concurrent.CompletableFuture<String>();
            socket.textMessageHandler(echoed::complete);
            socket.writeTextMessage("hello");
            assertEquals("hello", echoed.get(10, TimeUnit.SECONDS));
            String[] sent = sockets.lastUpgradeHeaders().get("traceparent").split("-");
            assertEquals(traceId, sent[1]);
            socket.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> tracing.open() == 0);
            Pools.use(pool, backend);

            flush();
            List<Received> trace = receiver.trace(traceId);
            assertEquals(2, trace.size(), trace.toString());
            Received server = only(trace, SpanKind.SPAN_KIND_SERVER);
            Received upgrade = only(trace, SpanKind.SPAN_KIND_CLIENT);
            assertEquals(clientSpan, server.parentSpanId());
            assertEquals(sent[2], upgrade.spanId());
            assertEquals(server.spanId(), upgrade.parentSpanId());
            assertEquals("true", server.attribute("lb.websocket"));
            assertEquals("101", server.attribute("http.response.status_code"));
            assertTrue(server.hasEvent("lb.tunnel_opened"));
            assertEquals("101", upgrade.attribute("http.response.status_code"));
            assertEquals("1.1", upgrade.attribute("network.protocol.version"), "an upgrade always goes as HTTP/1.1");
            assertTrue(upgrade.span().getEndTimeUnixNano() < server.span().getEndTimeUnixNano());
        } finally {
            webSockets.close();
            sockets.close();
        }
    }

    /** A request the balancer answers itself, before any try: one SERVER span, in the client's trace. */
    @Test
    void aRequestTurnedAwayIsASpanToo() throws Exception {
        String traceId = randomHex(16);
        try (RawHttp raw = RawHttp.connect(proxy)) {
            String head = raw.send("CONNECT /tunnel HTTP/1.1\r\nHost: internal.example:443\r\ntraceparent: 00-"
                    + traceId + "-" + randomHex(8) + "-01\r\n\r\n").readHead();
            assertTrue(head.startsWith("HTTP/1.1 405"), head);
        }
        flush();
        Received server = only(receiver.trace(traceId), SpanKind.SPAN_KIND_SERVER);
        assertEquals(1, receiver.trace(traceId).size());
        assertEquals("405", server.attribute("http.response.status_code"));
        assertEquals("rejected", server.attribute("lb.outcome"));
        assertEquals("0", server.attribute("lb.tries"));
    }

    /**
     * Only the balancer's own spans are exported: the management port's probes and Quarkus' own Vert.x HTTP
     * instrumentation add none, and Quarkus' Vert.x metrics hook is off (it would cost every request). A request to
     * a path under /q on the traffic port is a proxied request like any other, and traced.
     */
    @Test
    void nothingButTheBalancersSpansIsExported() throws Exception {
        for (String probe : List.of("/q/health/ready", "/q/health/live", "/q/metrics")) {
            assertEquals(200, client.send(HttpRequest.newBuilder(management.resolve(probe)).build(),
                    BodyHandlers.discarding()).statusCode());
        }
        assertEquals(200, client.send(HttpRequest.newBuilder(proxy.resolve("/q/health")).build(),
                BodyHandlers.discarding()).statusCode());
        flush();
        assertTrue(receiver.spans().stream().allMatch(span -> span.scope().equals(ExchangeTracing.SCOPE)),
                receiver.spans().toString());
        assertTrue(receiver.spans().stream().noneMatch(span -> String.valueOf(span.attribute("server.port"))
                .equals(Integer.toString(management.getPort()))), "no span for the management port");
        assertFalse(receiver.spans(span -> "/q/health".equals(span.attribute("url.path"))).isEmpty(),
                "a proxied /q/health is traced");
        assertFalse(vertx.isMetricsEnabled(), "no Vert.x metrics SPI on the request path");
    }

    /**
     * A path in quarkus.otel.traces.suppress-application-uris (a backend's own health endpoint, say) is not
     * recorded: the backend still gets a trace context, marked as not sampled.
     */
    @Test
    void aSuppressedPathIsPassedOnUnsampled() throws Exception {
        String traceId = randomHex(16);
        assertEquals(200, client.send(HttpRequest.newBuilder(proxy.resolve("/healthz"))
                .header("traceparent", "00-" + traceId + "-" + randomHex(8) + "-01").build(),
                BodyHandlers.ofString()).statusCode());
        String[] sent = backend.lastRequest().headers().get("traceparent").split("-");
        assertEquals(traceId, sent[1]);
        assertEquals("00", sent[3], "not sampled");
        flush();
        assertEquals(List.of(), receiver.trace(traceId));
    }

    private Future<Integer> h2Get(io.vertx.core.http.HttpClient h2, String path, String traceId) {
        return h2.request(new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(proxy.getPort())
                .setURI(path).putHeader("traceparent", "00-" + traceId + "-" + randomHex(8) + "-01"))
                .compose(request -> request.send())
                .compose(response -> response.body().map(ignored -> response.statusCode()));
    }

    /**
     * Waits for the SERVER span of a request made now: the batch processor exports spans in the order they ended,
     * so every span that ended before it has arrived too.
     */
    void flush() throws Exception {
        Pools.awaitAllIdle(pool);
        String traceId = randomHex(16);
        client.send(HttpRequest.newBuilder(proxy.resolve("/flush"))
                .header("traceparent", "00-" + traceId + "-" + randomHex(8) + "-01").build(),
                BodyHandlers.discarding());
        receiver.await(span -> span.traceId().equals(traceId) && span.kind() == SpanKind.SPAN_KIND_SERVER, 1);
    }

    static Received only(List<Received> spans, SpanKind kind) {
        List<Received> ofKind = spans.stream().filter(span -> span.kind() == kind).toList();
        assertEquals(1, ofKind.size(), kind + " spans: " + spans);
        return ofKind.get(0);
    }

    static String randomHex(int bytes) {
        byte[] id = new byte[bytes];
        ThreadLocalRandom.current().nextBytes(id);
        id[0] |= 1; // never all zeros (an invalid id)
        return HexFormat.of().formatHex(id);
    }
}

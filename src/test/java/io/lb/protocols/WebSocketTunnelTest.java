package io.lb.protocols;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.lb.balancer.Backend;
import io.lb.balancer.BackendPool;
import io.lb.config.BackendSpecParser;
import io.lb.metrics.ExchangeMetrics;
import io.lb.testing.Metrics;
import io.lb.testing.Pools;
import io.lb.testing.TestBackend;
import io.lb.testing.WebSocketBackend;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Future;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;

/** WebSockets through the balancer: real echo servers behind it, a real WebSocket client in front. */
@QuarkusTest
class WebSocketTunnelTest {

    static final List<WebSocketBackend> backends = new ArrayList<>();
    static WebSocketClient client;

    @TestHTTPResource("/")
    URI proxy;

    @TestHTTPResource(value = "/", management = true)
    URI management;

    @Inject
    BackendPool pool;

    @Inject
    ExchangeMetrics metrics;

    final List<WebSocket> opened = new ArrayList<>();

    @BeforeAll
    static void startBackends() {
        for (int i = 0; i < 3; i++) {
            backends.add(WebSocketBackend.start());
        }
        client = TestBackend.vertx().createWebSocketClient();
    }

    @AfterAll
    static void stopBackends() {
        backends.forEach(WebSocketBackend::close);
        client.close();
    }

    @BeforeEach
    void installBackends() {
        use(backends.toArray(WebSocketBackend[]::new));
        backends.forEach(backend -> backend.refuseWith(0));
    }

    @AfterEach
    void everythingClosedAndReleased() {
        opened.forEach(WebSocket::close);
        Pools.awaitAllIdle(pool);
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> metrics.openTunnels() == 0);
    }

    @Test
    void messagesAreEchoedThroughTheTunnel() throws Exception {
        use(backends.get(0));
        WebSocket socket = connect("/chat?room=1");
        for (String message : List.of("hello", "wörld", "x".repeat(70_000))) {
            assertEquals(message, roundTrip(socket, message));
        }
        assertEquals(1, backendOf(backends.get(0)).activeConnections(), "the open tunnel holds one lease");
        assertEquals(1, metrics.openTunnels());
        assertEquals(1.0, Metrics.value(management, "lb_websocket_tunnels"));
    }

    @Test
    void manyTunnelsAreSpreadByLeastConnectionsAndReleasedOnClose() throws Exception {
        double endedBefore = Metrics.value(management, "lb_requests_total", "status_class=\"1xx\"");
        for (int i = 0; i < 30; i++) {
            WebSocket socket = connect("/t" + i);
            assertEquals("m" + i, roundTrip(socket, "m" + i));
        }
        for (WebSocketBackend backend : backends) {
            assertTrue(backend.openSockets() > 0, "every backend gets tunnels");
            assertEquals(10, backend.openSockets(), "opened one after another, least connections spreads evenly");
            assertEquals(backend.openSockets(), backendOf(backend).activeConnections(),
                    "a backend's active count is its open tunnels");
        }
        assertEquals(30, metrics.openTunnels());
        for (WebSocket socket : opened) {
            socket.close();
        }
        Pools.awaitAllIdle(pool);
        Awaitility.await().atMost(Duration.ofSeconds(20))
                .until(() -> backends.stream().allMatch(backend -> backend.openSockets() == 0));
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> Metrics.value(management, "lb_requests_total",
                "status_class=\"1xx\"") == endedBefore + 30);
        assertEquals(0.0, Metrics.value(management, "lb_websocket_tunnels"));
    }

    @Test
    void aBackendDyingMidTunnelClosesTheClientAndReleasesItsCount() throws Exception {
        WebSocketBackend doomed = WebSocketBackend.start();
        try {
            use(doomed);
            WebSocket socket = connect("/doomed");
            assertEquals("before", roundTrip(socket, "before"));
            CompletableFuture<Void> closed = new CompletableFuture<>();
            socket.closeHandler(ignored -> closed.complete(null));
            doomed.kill();
            closed.get(20, TimeUnit.SECONDS);
            Pools.awaitAllIdle(pool);
        } finally {
            doomed.close();
        }
    }

    @Test
    void aClientVanishingMidTunnelClosesTheBackendSideAndReleasesItsCount() throws Exception {
        WebSocketBackend backend = backends.get(2);
        use(backend);
        try (java.net.Socket raw = new java.net.Socket("127.0.0.1", proxy.getPort())) {
            raw.setSoTimeout(20_000);
            raw.getOutputStream().write(("GET /raw HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                    + "Connection: keep-alive, Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                    + "Sec-WebSocket-Version: 13\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            StringBuilder head = new StringBuilder();
            var in = raw.getInputStream();
            while (!head.toString().endsWith("\r\n\r\n")) {
                int c = in.read();
                assertTrue(c >= 0, "connection closed during the handshake: " + head);
                head.append((char) c);
            }
            String answer = head.toString();
            assertTrue(answer.startsWith("HTTP/1.1 101"), answer);
            // RFC 6455's own example: the backend's accept key reaches the client unchanged
            assertTrue(answer.toLowerCase().contains("sec-websocket-accept: s3pplmbitxaq9kygzzhzrbk+xoo="), answer);
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> backend.openSockets() == 1);
            assertEquals(1, backendOf(backend).activeConnections());
        } // closed without a close frame
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> backend.openSockets() == 0);
        Pools.awaitAllIdle(pool);
    }

    @Test
    void aRefusedUpgradeReachesTheClientAsAnOrdinaryResponse() throws Exception {
        use(backends.get(1));
        backends.get(1).refuseWith(403);
        Throwable failure = await(client.connect(proxy.getPort(), "127.0.0.1", "/private")
                .map(socket -> (Throwable) null).recover(Future::succeededFuture));
        UpgradeRejectedException rejected = assertInstanceOf(UpgradeRejectedException.class, failure);
        assertEquals(403, rejected.getStatus());
        assertTrue(rejected.getBody().toString().startsWith("refused by"), rejected.getBody().toString());
    }

    private WebSocket connect(String uri) throws Exception {
        WebSocket socket = await(client.connect(proxy.getPort(), "127.0.0.1", uri));
        opened.add(socket);
        return socket;
    }

    private static String roundTrip(WebSocket socket, String message) throws Exception {
        CompletableFuture<String> answer = new CompletableFuture<>();
        socket.textMessageHandler(answer::complete);
        socket.writeTextMessage(message);
        return answer.get(20, TimeUnit.SECONDS);
    }

    private void use(WebSocketBackend... wanted) {
        for (Backend existing : pool.all()) {
            pool.remove(existing.id());
        }
        for (WebSocketBackend backend : wanted) {
            pool.add(BackendSpecParser.parse(backend.url()));
        }
    }

    private Backend backendOf(WebSocketBackend backend) {
        return pool.find(backend.url()).orElseThrow();
    }

    static <T> T await(Future<T> future) throws Exception {
        return future.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    }
}

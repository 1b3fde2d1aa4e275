package io.lb.protocols;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.lb.balancer.Backend;
import io.lb.balancer.BackendPool;
import io.lb.config.BackendSpecParser;
import io.lb.testing.Behaviours;
import io.lb.testing.HttpsBackend;
import io.lb.testing.Pools;
import io.lb.testing.TestBackend;
import io.lb.testing.WebSocketBackend;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;

/** lb.client.protocol=h2c and lb.client.tls.configuration-name. */
@QuarkusTest
@TestProfile(BackendClientOptionsProfile.class)
class BackendClientOptionsTest {

    static TestBackend h2cBackend;
    static HttpsBackend tlsBackend;
    static WebSocketBackend webSocketBackend;

    final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @TestHTTPResource("/")
    URI proxy;

    @Inject
    BackendPool pool;

    @BeforeAll
    static void start() {
        h2cBackend = TestBackend.start("h2c");
        tlsBackend = HttpsBackend.start("tls");
        webSocketBackend = WebSocketBackend.start();
    }

    @AfterAll
    static void stop() {
        h2cBackend.close();
        tlsBackend.close();
        webSocketBackend.close();
    }

    @AfterEach
    void countsBackToZero() {
        Pools.awaitAllIdle(pool);
    }

    @Test
    void h2cBackendsAreReachedOverHttp2WithPriorKnowledge() throws Exception {
        Pools.use(pool, h2cBackend);
        h2cBackend.reset();
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(proxy.resolve("/over-h2?a=b"))
                .header("X-Custom", "kept").build(), BodyHandlers.ofString());
        assertEquals(200, response.statusCode());
        assertEquals("h2c", response.body());
        TestBackend.ReceivedRequest seen = h2cBackend.lastRequest();
        assertEquals("HTTP_2", seen.version());
        assertEquals("/over-h2?a=b", seen.uri());
        assertEquals("kept", seen.headers().get("X-Custom"));
        for (String forbidden : List.of("Connection", "Keep-Alive", "Transfer-Encoding", "Upgrade", "Host")) {
            assertFalse(seen.headers().contains(forbidden), forbidden + " must not reach an HTTP/2 backend");
        }
        assertFalse(response.headers().firstValue("Transfer-Encoding").isPresent()
                && response.headers().firstValue("Content-Length").isPresent());
    }

    @Test
    void aChunkedUploadReachesAnH2cBackendWhole() throws Exception {
        Pools.use(pool, h2cBackend);
        h2cBackend.behave(Behaviours.echo());
        String body = "part of a streamed upload ".repeat(4000);
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(proxy.resolve("/upload"))
                .POST(BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(body.getBytes())))
                .build(), BodyHandlers.ofString());
        assertEquals(200, response.statusCode());
        assertEquals(body, response.body());
        assertEquals("HTTP_2", h2cBackend.lastRequest().version());
        h2cBackend.reset();
    }

    @Test
    void aBackendTrustedThroughANamedTlsConfigurationIsReached() throws Exception {
        for (Backend existing : pool.all()) {
            pool.remove(existing.id());
        }
        pool.add(BackendSpecParser.parse(tlsBackend.url("localhost")));
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(proxy.resolve("/tls")).build(),
                BodyHandlers.ofString());
        assertEquals(200, response.statusCode());
        assertEquals("tls", response.body());
    }

    @Test
    void webSocketsStillTravelOverHttp1() throws Exception {
        for (Backend existing : pool.all()) {
            pool.remove(existing.id());
        }
        pool.add(BackendSpecParser.parse(webSocketBackend.url()));
        WebSocketClient webSockets = TestBackend.vertx().createWebSocketClient();
        try {
            WebSocket socket = webSockets.connect(proxy.getPort(), "127.0.0.1", "/ws").toCompletionStage()
                    .toCompletableFuture().get(20, TimeUnit.SECONDS);
            CompletableFuture<String> echo = new CompletableFuture<>();
            socket.textMessageHandler(echo::complete);
            socket.writeTextMessage("over h1");
            assertEquals("over h1", echo.get(20, TimeUnit.SECONDS));
            socket.close();
        } finally {
            webSockets.close();
        }
    }
}

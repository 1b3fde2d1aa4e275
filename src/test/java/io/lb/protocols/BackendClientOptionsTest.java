package io.lb.protocols;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import io.lb.testing.RawHttp;
import io.lb.testing.TestBackend;
import io.lb.testing.WebSocketBackend;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
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

    /** gRPC's shape: HTTP/2 on both sides, "te: trailers" on the way in, the status in trailers on the way out. */
    @Test
    void trailersReachAnHttp2ClientAndTeTrailersReachTheBackend() throws Exception {
        Pools.use(pool, h2cBackend);
        h2cBackend.behave(Behaviours.withTrailers("payload", "grpc-status", "0", "grpc-message", "fine"));
        io.vertx.core.http.HttpClient h2 = TestBackend.vertx().createHttpClient(new HttpClientOptions()
                .setProtocolVersion(HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false));
        try {
            CompletableFuture<HttpClientResponse> answered = new CompletableFuture<>();
            Buffer body = h2.request(new RequestOptions().setMethod(HttpMethod.POST)
                    .setHost("127.0.0.1").setPort(proxy.getPort()).setURI("/pkg.Service/Method")
                    .putHeader("te", "trailers").putHeader("content-type", "application/grpc"))
                    .compose(request -> request.send(Buffer.buffer("request")))
                    .compose(response -> {
                        answered.complete(response);
                        return response.body(); // read on the event loop, before any of it can pass unseen
                    })
                    .toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
            HttpClientResponse response = answered.get();
            assertEquals(HttpVersion.HTTP_2, response.version());
            assertEquals("payload", body.toString());
            assertEquals("0", response.trailers().get("grpc-status"));
            assertEquals("fine", response.trailers().get("grpc-message"));
        } finally {
            h2.close();
        }
        assertEquals("trailers", h2cBackend.lastRequest().headers().get("te"));
        h2cBackend.reset();
    }

    @Test
    void trailersReachAnHttp11ClientInTheLastChunk() throws Exception {
        Pools.use(pool, h2cBackend);
        h2cBackend.behave(Behaviours.withTrailers("payload", "x-checksum", "abc123", "x-other", "1"));
        try (RawHttp raw = RawHttp.connect(proxy)) {
            String response = raw.send("GET /stream HTTP/1.1\r\nHost: t\r\nTE: trailers\r\n\r\n")
                    .readUntil("\r\n0\r\n");
            String rest = raw.readUntil("\r\n\r\n");
            assertTrue(response.startsWith("HTTP/1.1 200"), response);
            assertTrue(response.contains("payload"), response);
            assertTrue(rest.toLowerCase().contains("x-checksum: abc123"), rest);
        }
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

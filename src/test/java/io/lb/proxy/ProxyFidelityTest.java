package io.lb.proxy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse.BodyHandlers;
import java.util.List;
import java.util.Random;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.lb.balancer.BackendPool;
import io.lb.testing.Behaviours;
import io.lb.testing.Pools;
import io.lb.testing.RawHttp;
import io.lb.testing.TestBackend;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/** What the client sends is what the backend gets, and the other way round, but for the hop-by-hop parts. */
@QuarkusTest
class ProxyFidelityTest {

    static TestBackend backend;
    final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @TestHTTPResource("/")
    URI proxy;

    @Inject
    BackendPool pool;

    @BeforeAll
    static void startBackend() {
        backend = TestBackend.start("fidelity");
    }

    @AfterAll
    static void stopBackend() {
        backend.close();
    }

    @BeforeEach
    void installBackend() {
        backend.reset();
        backend.behave(Behaviours.echo());
        Pools.use(pool, backend);
    }

    @AfterEach
    void countsBackToZero() {
        Pools.awaitAllIdle(pool);
    }

    @Test
    void everyMethodAndQueryStringReachTheBackendIntact() throws Exception {
        String target = "search/a%20b/%C3%A9?q=x%26y&empty=&list=1&list=2#";
        for (String method : List.of("GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS")) {
            var response = client.send(HttpRequest.newBuilder(proxy.resolve(target.replace("#", "")))
                    .method(method, method.equals("GET") ? BodyPublishers.noBody() : BodyPublishers.ofString("b"))
                    .build(), BodyHandlers.ofString());
            assertEquals(200, response.statusCode(), method);
            assertEquals(method, response.headers().firstValue("X-Echo-Method").orElseThrow());
            assertEquals("/search/a%20b/%C3%A9?q=x%26y&empty=&list=1&list=2",
                    response.headers().firstValue("X-Echo-Uri").orElseThrow());
            assertEquals(method, backend.lastRequest().method());
        }
    }

    @Test
    void headAnswersKeepTheirContentLengthAndHaveNoBody() throws Exception {
        backend.behave(request -> {
            if (request.method().name().equals("HEAD")) {
                request.response().putHeader("Content-Length", "1234").end();
            } else {
                request.response().end("next");
            }
        });
        try (RawHttp raw = RawHttp.connect(proxy)) {
            String response = raw.send("HEAD /thing HTTP/1.1\r\nHost: example.test\r\n\r\n").readHead();
            assertTrue(response.startsWith("HTTP/1.1 200"), response);
            assertTrue(response.toLowerCase().contains("content-length: 1234"), response);
            // no body: the same connection serves the next request straight away
            String next = raw.send("GET /next HTTP/1.1\r\nHost: example.test\r\n\r\n").readHead();
            assertTrue(next.startsWith("HTTP/1.1 200"), next);
        }
    }

    @Test
    void binaryBodiesPassBothWaysByteForByte() throws Exception {
        byte[] body = new byte[300_000];
        new Random(42).nextBytes(body);
        var response = client.send(HttpRequest.newBuilder(proxy.resolve("/binary"))
                .header("Content-Type", "application/octet-stream")
                .POST(BodyPublishers.ofByteArray(body)).build(), BodyHandlers.ofByteArray());
        assertEquals(200, response.statusCode());
        assertArrayEquals(body, response.body());
        assertEquals(String.valueOf(body.length), backend.lastRequest().headers().get("Content-Length"));
    }

    @Test
    void chunkedRequestBodyArrivesWhole() throws Exception {
        byte[] body = new byte[100_000];
        new Random(7).nextBytes(body);
        // an InputStream publisher has no known length, so the JDK client sends it chunked
        var response = client.send(HttpRequest.newBuilder(proxy.resolve("/chunked"))
                .POST(BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body))).build(),
                BodyHandlers.ofByteArray());
        assertEquals(200, response.statusCode());
        assertArrayEquals(body, response.body());
        assertEquals("chunked", backend.lastRequest().headers().get("Transfer-Encoding"));
    }

    @Test
    void chunkedResponseArrivesWhole() throws Exception {
        backend.behave(request -> {
            var response = request.response().setChunked(true);
            for (int i = 0; i < 50; i++) {
                response.write("chunk-" + i + ";");
            }
            response.end();
        });
        var response = client.send(HttpRequest.newBuilder(proxy.resolve("/stream")).build(), BodyHandlers.ofString());
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < 50; i++) {
            expected.append("chunk-").append(i).append(';');
        }
        assertEquals(expected.toString(), response.body());
    }

    @Test
    void statusHeadersAndBodyOfTheBackendReachTheClientUnchanged() throws Exception {
        backend.behave(request -> request.response().setStatusCode(418).setStatusMessage("I'm a teapot")
                .putHeader("Set-Cookie", (Iterable<String>) List.of("a=1; Path=/", "b=2; HttpOnly"))
                .putHeader("X-Custom", "kept")
                .putHeader("Cache-Control", "max-age=60")
                .end("short and stout"));
        try (RawHttp raw = RawHttp.connect(proxy)) {
            String response = raw.send("GET /teapot HTTP/1.1\r\nHost: example.test\r\n\r\n").readResponse();
            assertTrue(response.startsWith("HTTP/1.1 418 I'm a teapot\r\n"), response);
            assertTrue(response.contains("Set-Cookie: a=1; Path=/\r\n"), response);
            assertTrue(response.contains("Set-Cookie: b=2; HttpOnly\r\n"), response);
            assertTrue(response.contains("X-Custom: kept\r\n"), response);
            assertTrue(response.contains("Cache-Control: max-age=60\r\n"), response);
            assertTrue(response.endsWith("short and stout"), response);
        }
    }

    @Test
    void hopByHopHeadersAreRemovedTowardsTheBackend() throws Exception {
        try (RawHttp raw = RawHttp.connect(proxy)) {
            String response = raw.send("GET /hop HTTP/1.1\r\nHost: example.test\r\n"
                    + "Connection: keep-alive, X-Hop-Only\r\n"
                    + "X-Hop-Only: secret\r\n"
                    + "Keep-Alive: timeout=5\r\n"
                    + "TE: trailers\r\n"
                    + "Trailer: X-Checksum\r\n"
                    + "Proxy-Authorization: Basic Zm9vOmJhcg==\r\n"
                    + "Proxy-Connection: keep-alive\r\n"
                    + "X-End-To-End: kept\r\n\r\n").readResponse();
            assertTrue(response.startsWith("HTTP/1.1 200"), response);
        }
        var seen = backend.lastRequest().headers();
        for (String hop : List.of("X-Hop-Only", "Keep-Alive", "TE", "Trailer", "Proxy-Authorization",
                "Proxy-Connection", "Upgrade")) {
            assertNull(seen.get(hop), hop + " must not reach the backend");
        }
        assertFalse("keep-alive, X-Hop-Only".equals(seen.get("Connection")));
        assertEquals("kept", seen.get("X-End-To-End"));
    }

    @Test
    void hopByHopHeadersAreRemovedTowardsTheClient() throws Exception {
        backend.behave(request -> request.response()
                .putHeader("Connection", "X-Backend-Hop")
                .putHeader("X-Backend-Hop", "internal")
                .putHeader("Keep-Alive", "timeout=99")
                .putHeader("Proxy-Authenticate", "Basic realm=x")
                .putHeader("Upgrade", "h2c")
                .putHeader("X-End-To-End", "kept")
                .end("ok"));
        try (RawHttp raw = RawHttp.connect(proxy)) {
            String response = raw.send("GET /hop HTTP/1.1\r\nHost: example.test\r\n\r\n").readResponse();
            assertTrue(response.startsWith("HTTP/1.1 200"), response);
            String lower = response.toLowerCase();
            assertFalse(lower.contains("x-backend-hop"), response);
            assertFalse(lower.contains("keep-alive: timeout=99"), response);
            assertFalse(lower.contains("proxy-authenticate"), response);
            assertFalse(lower.contains("upgrade:"), response);
            assertTrue(response.contains("X-End-To-End: kept"), response);
        }
    }

    @Test
    void forwardedHeadersAreAppendedAndHostIsPassedOn() throws Exception {
        try (RawHttp raw = RawHttp.connect(proxy)) {
            raw.send("GET /who HTTP/1.1\r\nHost: shop.example.test:8443\r\n"
                    + "X-Forwarded-For: 203.0.113.7, 198.51.100.2\r\n\r\n").readResponse();
        }
        var seen = backend.lastRequest().headers();
        assertEquals("shop.example.test:8443", seen.get("Host"));
        assertEquals("203.0.113.7, 198.51.100.2, 127.0.0.1", seen.get("X-Forwarded-For"));
        assertEquals("http", seen.get("X-Forwarded-Proto"));
        assertEquals("shop.example.test:8443", seen.get("X-Forwarded-Host"));
    }

    @Test
    void forwardedForIsSetWhenTheClientSentNone() throws Exception {
        client.send(HttpRequest.newBuilder(proxy.resolve("/who")).build(), BodyHandlers.discarding());
        assertEquals("127.0.0.1", backend.lastRequest().headers().get("X-Forwarded-For"));
    }

    @Test
    void expectContinueIsAnsweredAndTheBodyForwarded() throws Exception {
        try (RawHttp raw = RawHttp.connect(proxy)) {
            raw.send("POST /upload HTTP/1.1\r\nHost: example.test\r\nContent-Length: 5\r\n"
                    + "Expect: 100-continue\r\n\r\n");
            String interim = raw.readHead();
            assertTrue(interim.startsWith("HTTP/1.1 100"), interim);
            String response = raw.send("hello").readResponse();
            assertTrue(response.startsWith("HTTP/1.1 200"), response);
            assertTrue(response.endsWith("hello"), response);
        }
    }

    @Test
    void responseHeadReachesTheClientBeforeTheBodyStarts() throws Exception {
        // a streaming (server-sent events style) response: the head must not wait for the first chunk
        var gate = new java.util.concurrent.CountDownLatch(1);
        backend.behave(request -> {
            request.response().setChunked(true).putHeader("Content-Type", "text/event-stream").writeHead();
            TestBackend.vertx().executeBlocking(() -> gate.await(5, java.util.concurrent.TimeUnit.SECONDS), false)
                    .onComplete(ignored -> request.response().end("data: done\n\n"));
        });
        try (RawHttp raw = RawHttp.connect(proxy)) {
            String head = raw.send("GET /events HTTP/1.1\r\nHost: example.test\r\n\r\n").readHead();
            assertTrue(head.startsWith("HTTP/1.1 200"), head);
            assertTrue(head.contains("text/event-stream"), head);
            gate.countDown();
        }
    }

    @Test
    void eachChunkOfAStreamReachesTheClientBeforeTheNextIsSent() throws Exception {
        var gate = new java.util.concurrent.CountDownLatch(1);
        backend.behave(request -> {
            request.response().setChunked(true).write("data: first\n\n");
            TestBackend.vertx().executeBlocking(() -> gate.await(5, java.util.concurrent.TimeUnit.SECONDS), false)
                    .onComplete(ignored -> request.response().end("data: second\n\n"));
        });
        try (RawHttp raw = RawHttp.connect(proxy)) {
            long start = System.nanoTime();
            String first = raw.send("GET /events HTTP/1.1\r\nHost: example.test\r\n\r\n").readUntil("first");
            assertTrue(first.contains("data: first"), first);
            // the backend holds the rest for 5 s unless the gate opens: the first chunk must not wait for it
            assertTrue(System.nanoTime() - start < 3_000_000_000L, "the first chunk was held back");
            gate.countDown();
            assertTrue(raw.readUntil("0\r\n\r\n").contains("data: second"));
        }
    }

    @Test
    void theStartOfABodyOfDeclaredLengthIsNotHeldBackForItsRest() throws Exception {
        var gate = new java.util.concurrent.CountDownLatch(1);
        backend.behave(request -> {
            request.response().putHeader("Content-Length", "10").write("12345");
            TestBackend.vertx().executeBlocking(() -> gate.await(5, java.util.concurrent.TimeUnit.SECONDS), false)
                    .onComplete(ignored -> request.response().end("67890"));
        });
        try (RawHttp raw = RawHttp.connect(proxy)) {
            long startNanos = System.nanoTime();
            String start = raw.send("GET /file HTTP/1.1\r\nHost: example.test\r\n\r\n").readUntil("12345");
            assertTrue(start.startsWith("HTTP/1.1 200") && start.endsWith("12345"), start);
            assertTrue(System.nanoTime() - startNanos < 3_000_000_000L, "the body's start was held back");
            gate.countDown();
            assertEquals("67890", raw.readUntil("67890"));
        }
    }
}

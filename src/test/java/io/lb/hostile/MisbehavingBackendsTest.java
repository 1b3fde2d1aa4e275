package io.lb.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.lb.balancer.BackendPool;
import io.lb.testing.Pools;
import io.lb.testing.TestBackend;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetServer;

/** A backend that does not speak HTTP properly costs the client a clean 502, never a hang or a leak. */
@QuarkusTest
class MisbehavingBackendsTest {

    @TestHTTPResource("/")
    URI proxy;

    @Inject
    BackendPool pool;

    NetServer raw;

    @AfterEach
    void cleanUp() throws Exception {
        Pools.awaitAllIdle(pool);
        if (raw != null) {
            raw.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void garbageInsteadOfHttpGivesA502() throws Exception {
        int port = rawBackend(Buffer.buffer("SSH-2.0-OpenSSH_9.2\r\n\u0000\u0001garbage\r\n\r\n"));
        HttpResponse<String> response = get(port, "POST");
        assertEquals(502, response.statusCode());
        assertTrue(response.body().startsWith("502 Bad Gateway"), response.body());
    }

    @Test
    void oversizedResponseHeadersGiveA502() throws Exception {
        int port = rawBackend(Buffer.buffer("HTTP/1.1 200 OK\r\nX-Huge: " + "h".repeat(64 * 1024)
                + "\r\nContent-Length: 2\r\n\r\nok"));
        HttpResponse<String> response = get(port, "POST");
        assertEquals(502, response.statusCode());
    }

    @Test
    void invalidStatusLineGivesA502() throws Exception {
        int port = rawBackend(Buffer.buffer("HTTP/1.1 abc Nope\r\nContent-Length: 0\r\n\r\n"));
        assertEquals(502, get(port, "POST").statusCode());
    }

    @Test
    void anIncompleteHeadGluedToAResponseNeverReachesAnotherClient() throws Exception {
        String poison = "HTTP/1.1 200 OK\r\nX-Smuggled: yes\r\nSet-Cookie: session=attacker\r\nX-Swallow: ";
        keptAliveBackend(path -> path.equals("/a")
                ? "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello" + poison
                : "HTTP/1.1 200 OK\r\nContent-Length: " + path.length() + "\r\n\r\n" + path);
        HttpResponse<String> first = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(proxy.resolve("/a")).build(), BodyHandlers.ofString());
        assertEquals("hello", first.body());
        for (int i = 0; i < 5; i++) {
            HttpResponse<String> other = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(proxy.resolve("/other-" + i)).build(), BodyHandlers.ofString());
            assertEquals("/other-" + i, other.body());
            assertTrue(other.headers().firstValue("X-Smuggled").isEmpty(), other.headers().toString());
            assertTrue(other.headers().firstValue("Set-Cookie").isEmpty(), other.headers().toString());
            assertTrue(other.headers().firstValue("X-Swallow").isEmpty(), other.headers().toString());
        }
    }

    /** A backend that keeps connections alive and answers each request head with {@code answer.apply(path)}. */
    private void keptAliveBackend(java.util.function.Function<String, String> answer) throws Exception {
        raw = TestBackend.vertx().createNetServer().connectHandler(socket -> {
            io.vertx.core.parsetools.RecordParser heads = io.vertx.core.parsetools.RecordParser.newDelimited(
                    "\r\n\r\n", head -> socket.write(answer.apply(head.toString().split(" ")[1])));
            socket.handler(heads);
        });
        raw.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        for (var backend : pool.all()) {
            pool.remove(backend.id());
        }
        pool.add(io.lb.config.BackendSpecParser.parse("http://127.0.0.1:" + raw.actualPort()));
    }

    /** A backend that answers every connection with {@code bytes} once the request has arrived, then closes. */
    private int rawBackend(Buffer bytes) throws Exception {
        raw = TestBackend.vertx().createNetServer().connectHandler(socket -> socket.handler(request -> {
            socket.write(bytes).onComplete(ignored -> socket.close());
        }));
        raw.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        for (var backend : pool.all()) {
            pool.remove(backend.id());
        }
        pool.add(io.lb.config.BackendSpecParser.parse("http://127.0.0.1:" + raw.actualPort()));
        return raw.actualPort();
    }

    private HttpResponse<String> get(int port, String method) throws Exception {
        // POST so that the balancer does not retry: the one backend is the one under test
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(proxy.resolve("/x"))
                .method(method, HttpRequest.BodyPublishers.ofString("x")).build(), BodyHandlers.ofString());
    }
}

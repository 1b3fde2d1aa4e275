package io.lb.protocols;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.lb.balancer.BackendPool;
import io.lb.testing.Behaviours;
import io.lb.testing.Pools;
import io.lb.testing.TestBackend;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;

/** HTTP/2 clients on the plain traffic port (h2c with prior knowledge), HTTP/1.1 backends behind. */
@QuarkusTest
class Http2ClientTest {

    static final List<TestBackend> backends = new ArrayList<>();
    static HttpClient h2;

    @TestHTTPResource("/")
    URI proxy;

    @Inject
    BackendPool pool;

    @BeforeAll
    static void start() {
        for (String name : List.of("a", "b", "c")) {
            backends.add(TestBackend.start(name));
        }
        // prior knowledge, and a single connection so that every request is a stream on it
        h2 = TestBackend.vertx().createHttpClient(new HttpClientOptions()
                .setProtocolVersion(HttpVersion.HTTP_2)
                .setHttp2ClearTextUpgrade(false), new PoolOptions().setHttp2MaxSize(1));
    }

    @AfterAll
    static void stop() {
        backends.forEach(TestBackend::close);
        h2.close();
    }

    @BeforeEach
    void install() {
        backends.forEach(TestBackend::reset);
        Pools.use(pool, backends.get(0));
    }

    @AfterEach
    void countsBackToZero() {
        Pools.awaitAllIdle(pool);
    }

    @Test
    void anH2cPriorKnowledgeClientIsServedOverHttp2ByAnHttp1Backend() throws Exception {
        Answer answer = await(h2.request(options(HttpMethod.GET, "/h2?x=1")
                .putHeader("X-Custom", "kept").putHeader("TE", "trailers"))
                .compose(request -> request.send()).compose(Answer::read));
        HttpClientResponse response = answer.response();
        assertEquals(HttpVersion.HTTP_2, response.version());
        assertEquals(200, response.statusCode());
        assertEquals("a", answer.body().toString());
        assertFalse(response.headers().contains("Connection"), "no connection-specific header on HTTP/2");
        assertFalse(response.headers().contains("Keep-Alive"));
        assertFalse(response.headers().contains("Transfer-Encoding"));
        assertFalse(response.headers().contains("Set-Cookie"), "sticky sessions are off by default");

        TestBackend.ReceivedRequest seen = backends.get(0).lastRequest();
        assertEquals("HTTP_1_1", seen.version());
        assertEquals("/h2?x=1", seen.uri());
        assertEquals("kept", seen.headers().get("X-Custom"));
        assertEquals("127.0.0.1:" + proxy.getPort(), seen.headers().get("Host"), "the :authority becomes Host");
        for (var header : seen.headers()) {
            assertFalse(header.getKey().startsWith(":"), "pseudo-header forwarded: " + header.getKey());
        }
        assertNull(seen.headers().get("TE"));
        assertNull(seen.headers().get("Transfer-Encoding"), "a GET without body stays without body");
        assertNull(seen.headers().get("Content-Length"));
        assertNull(seen.headers().get("HTTP2-Settings"));
        assertNull(seen.headers().get("Upgrade"));
        assertEquals("http", seen.headers().get("X-Forwarded-Proto"));
    }

    @Test
    void anHttp2UploadWithoutContentLengthArrivesWhole() throws Exception {
        backends.get(0).behave(Behaviours.echo());
        Buffer sent = Buffer.buffer();
        Answer answer = await(h2.request(options(HttpMethod.POST, "/upload")).compose(request -> {
            // on HTTP/2 "chunked" only means: no Content-Length, the stream's end ends the body
            request.setChunked(true);
            request.putHeader("Content-Type", "application/octet-stream");
            for (int i = 0; i < 50; i++) {
                Buffer chunk = Buffer.buffer(("chunk " + i + " ").repeat(300));
                sent.appendBuffer(chunk);
                request.write(chunk);
            }
            request.end();
            return request.response().compose(Answer::read);
        }));
        assertEquals(HttpVersion.HTTP_2, answer.response().version());
        assertEquals(200, answer.response().statusCode());
        assertEquals(sent, answer.body());
        TestBackend.ReceivedRequest seen = backends.get(0).lastRequest();
        assertNull(seen.headers().get("Content-Length"));
        assertEquals("chunked", seen.headers().get("Transfer-Encoding"));
    }

    /**
     * An HTTP/1.1 request that asks for an h2c upgrade becomes stream 1 of the new HTTP/2 connection, which Netty opens
     * half-closed: its body must still reach the backend (the JDK's client asks for the upgrade with a POST too).
     */
    @Test
    void theBodyOfARequestThatUpgradesToH2cReachesTheBackend() throws Exception {
        backends.get(0).behave(Behaviours.echo());
        HttpResponse<String> response = java.net.http.HttpClient.newBuilder()
                .version(java.net.http.HttpClient.Version.HTTP_2).build()
                .send(HttpRequest.newBuilder(proxy.resolve("/upgrade"))
                        .POST(HttpRequest.BodyPublishers.ofString("sent before the upgrade"))
                        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(java.net.http.HttpClient.Version.HTTP_2, response.version(), "the connection was upgraded");
        assertEquals(200, response.statusCode());
        assertEquals("sent before the upgrade", response.body());
    }

    @Test
    void concurrentStreamsOnOneConnectionAreBalancedOneByOne() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        Pools.use(pool, backends.toArray(TestBackend[]::new));
        backends.forEach(backend -> backend.behave(Behaviours.holdUntil(gate, backend.name())));
        List<Future<Answer>> responses = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            responses.add(h2.request(options(HttpMethod.GET, "/stream/" + i)).compose(request -> request.send())
                    .compose(Answer::read));
        }
        try {
            Awaitility.await().atMost(Duration.ofSeconds(30))
                    .until(() -> backends.stream().mapToInt(TestBackend::inFlight).sum() == 30);
            for (TestBackend backend : backends) {
                assertEquals(10, backend.inFlight(), backend.name() + " gets a third of the streams");
                assertEquals(10, Pools.backendOf(pool, backend).activeConnections());
            }
        } finally {
            gate.countDown();
        }
        Set<HttpConnection> connections = new HashSet<>();
        Set<String> servedBy = new HashSet<>();
        for (Future<Answer> pending : responses) {
            Answer answer = await(pending);
            assertEquals(HttpVersion.HTTP_2, answer.response().version());
            connections.add(answer.response().request().connection());
            servedBy.add(answer.body().toString());
        }
        assertEquals(1, connections.size(), "all thirty were streams of one client connection");
        assertEquals(Set.of("a", "b", "c"), servedBy);
    }

    private RequestOptions options(HttpMethod method, String uri) {
        return new RequestOptions().setMethod(method).setHost("127.0.0.1").setPort(proxy.getPort()).setURI(uri);
    }

    /** A response and its whole body, read as it arrives. */
    record Answer(HttpClientResponse response, Buffer body) {
        static Future<Answer> read(HttpClientResponse response) {
            return response.body().map(body -> new Answer(response, body));
        }
    }

    static <T> T await(Future<T> future) throws Exception {
        return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
}

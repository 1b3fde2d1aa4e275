package io.lb.accesslog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;

import jakarta.inject.Inject;

import org.awaitility.Awaitility;
import org.jboss.logmanager.handlers.AsyncHandler;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.lb.balancer.BackendPool;
import io.lb.proxy.Exchange;
import io.lb.testing.Behaviours;
import io.lb.testing.Pools;
import io.lb.testing.RawHttp;
import io.lb.testing.TestBackend;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.vertx.core.json.JsonObject;

/** Every request leaves one access-log line saying who answered, how and how fast; a stuck log stalls nothing. */
@QuarkusTest
@TestProfile(AccessLogProfile.class)
class AccessLogTest {

    static TestBackend backend;

    @TestHTTPResource("/")
    URI proxy;

    @Inject
    BackendPool pool;

    @Inject
    RecordedExchanges recorded;

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final java.util.concurrent.atomic.AtomicInteger records = new java.util.concurrent.atomic.AtomicInteger();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            records.incrementAndGet();
            lines.addAll(List.of(record.getMessage().split("\n"))); // a record is a block of lines
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeAll
    static void start() {
        backend = TestBackend.start("logged");
    }

    @AfterAll
    static void stop() {
        backend.close();
    }

    @BeforeEach
    void setUp() {
        Pools.use(pool, backend);
        backend.reset();
        backend.behave(Behaviours.answerWithName("logged"));
        asyncHandler().addHandler(capture);
        recorded.ended.clear();
    }

    @AfterEach
    void tearDown() {
        asyncHandler().removeHandler(capture);
        Pools.awaitAllIdle(pool);
    }

    private static AsyncHandler asyncHandler() {
        for (Handler handler : org.jboss.logmanager.Logger.getLogger(AccessLog.CATEGORY).getHandlers()) {
            if (handler instanceof AsyncHandler async) {
                return async;
            }
        }
        throw new AssertionError("io.lb.access has no asynchronous handler: application.properties gives it one");
    }

    private JsonObject onlyLine() {
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> !lines.isEmpty());
        assertEquals(1, lines.size(), lines.toString());
        return new JsonObject(lines.get(0));
    }

    @Test
    void linesLeaveInBlocksOfSeveralPerRecordAndNoneIsLost() throws Exception {
        int requests = 300;
        for (int i = 0; i < requests; i++) {
            client.send(HttpRequest.newBuilder(proxy.resolve("/block-" + i)).build(), BodyHandlers.discarding());
        }
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> lines.size() == requests);
        for (int i = 0; i < requests; i++) {
            String path = "/block-" + i + "\"";
            assertEquals(1, lines.stream().filter(l -> l.contains(path)).count(), path);
        }
        assertTrue(records.get() < requests / 3, records.get() + " records for " + requests + " lines");
    }

    @Test
    void aServedRequestIsLoggedWithItsBackendItsTimingsAndItsId() throws Exception {
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(proxy.resolve("/page?x=1"))
                .header("User-Agent", "access-log-test").build(), BodyHandlers.ofString());
        JsonObject line = onlyLine();
        String id = response.headers().firstValue("X-Request-Id").orElseThrow();
        assertEquals(32, id.length(), "a generated id");
        assertEquals(id, backend.lastRequest().headers().get("X-Request-Id"), "the backend got the same id");
        assertEquals(id, line.getString("request_id"));
        assertEquals("GET", line.getString("method"));
        assertEquals("/page?x=1", line.getString("uri"));
        assertEquals(200, line.getInteger("status"));
        assertEquals(backend.url(), line.getString("upstream"));
        assertEquals(1, line.getInteger("tries"));
        assertEquals("success", line.getString("outcome"));
        assertEquals("default", line.getString("pool"));
        assertEquals("default", line.getString("route"));
        assertEquals("access-log-test", line.getString("user_agent"));
        assertEquals("127.0.0.1", line.getString("client"));
        assertEquals("logged".length(), line.getLong("bytes_out"), "body bytes sent");
        assertEquals(0, line.getLong("bytes_in"), "body bytes received");
        assertTrue(line.getDouble("duration_s") >= line.getDouble("upstream_head_s"), line.encode());
        assertNotNull(line.getString("time"));
    }

    @Test
    void aRetryIsLoggedWithItsReason() throws Exception {
        int closedPort;
        try (ServerSocket nobody = new ServerSocket(0)) {
            closedPort = nobody.getLocalPort();
        }
        Pools.useUrls(pool, "http://127.0.0.1:" + closedPort, backend.url());
        for (int i = 0; i < 10 && lines.stream().noneMatch(l -> l.contains("\"tries\":2")); i++) {
            client.send(HttpRequest.newBuilder(proxy.resolve("/retried")).build(), BodyHandlers.ofString());
            Pools.useUrls(pool, "http://127.0.0.1:" + closedPort, backend.url()); // the refusing one back UP
        }
        Awaitility.await().atMost(Duration.ofSeconds(5))
                .until(() -> lines.stream().anyMatch(l -> l.contains("\"tries\":2")));
        JsonObject line = new JsonObject(lines.stream().filter(l -> l.contains("\"tries\":2")).findFirst()
                .orElseThrow());
        assertEquals("connect", line.getJsonArray("retries").getString(0));
        assertEquals(backend.url(), line.getString("upstream"));
        assertEquals(200, line.getInteger("status"));
    }

    @Test
    void aClientsOwnRequestIdIsKeptAndAnInsaneOneReplaced() throws Exception {
        client.send(HttpRequest.newBuilder(proxy.resolve("/")).header("X-Request-Id", "client-id-1").build(),
                BodyHandlers.ofString());
        assertEquals("client-id-1", backend.lastRequest().headers().get("X-Request-Id"));
        client.send(HttpRequest.newBuilder(proxy.resolve("/")).header("X-Request-Id", "x".repeat(500)).build(),
                BodyHandlers.ofString());
        assertEquals(32, backend.lastRequest().headers().get("X-Request-Id").length());
    }

    @Test
    void theBalancersOwnAnswersNameTheRequestIdAndAreLogged() throws Exception {
        Pools.useUrls(pool);
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(proxy.resolve("/nobody"))
                .header("X-Request-Id", "report-me").build(), BodyHandlers.ofString());
        assertEquals(503, response.statusCode());
        assertTrue(response.body().contains("request id: report-me"), response.body());
        assertEquals("report-me", response.headers().firstValue("X-Request-Id").orElseThrow());
        JsonObject line = onlyLine();
        assertEquals("no_backend", line.getString("outcome"));
        assertEquals(null, line.getString("upstream"));
        try (RawHttp raw = RawHttp.connect(proxy)) {
            String rejected = raw.send("CONNECT example.com:443 HTTP/1.1\r\nHost: example.com\r\n\r\n").readResponse();
            assertTrue(rejected.contains("request id: "), rejected);
        }
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> lines.size() == 2);
        assertEquals("rejected", new JsonObject(lines.get(1)).getString("outcome"));
    }

    @Test
    void linesBehindTheAsynchronousHandlerAreWrittenInBlocksAndStillArriveWithinSeconds() throws Exception {
        java.io.StringWriter out = new java.io.StringWriter();
        org.jboss.logmanager.handlers.WriterHandler writer = new org.jboss.logmanager.handlers.WriterHandler();
        writer.setFormatter(new org.jboss.logmanager.formatters.PatternFormatter("%s%n"));
        writer.setWriter(out);
        asyncHandler().addHandler(writer);
        try {
            // the log manager's default: a flush, so a write system call, after every line
            assertTrue(writer.isAutoFlush());
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> !writer.isAutoFlush());
            client.send(HttpRequest.newBuilder(proxy.resolve("/buffered-line")).build(), BodyHandlers.ofString());
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> out.toString().contains("/buffered-line"));
        } finally {
            asyncHandler().removeHandler(writer);
        }
    }

    @Test
    void theTextFormatIsCombinedPlusTheUpstreamFields() throws Exception {
        client.send(HttpRequest.newBuilder(proxy.resolve("/a%22b?q")).header("User-Agent", "text \"agent\"").build(),
                BodyHandlers.ofString());
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> !recorded.ended.isEmpty());
        Exchange exchange = recorded.ended.get(0);
        String text = new TextFormat().line(exchange);
        assertTrue(text.matches("127\\.0\\.0\\.1 - - \\[\\d{2}/\\w{3}/\\d{4}:\\d{2}:\\d{2}:\\d{2} \\+0000\\] "
                + "\"GET /a%22b\\?q HTTP/1\\.1\" 200 \\d+ \"-\" \"text \\\\x22agent\\\\x22\" rt=\\d+\\.\\d{3} "
                + "uht=\\d+\\.\\d{3} upstream=" + backend.url().replace(".", "\\.") + " tries=1 retries=- "
                + "outcome=success pool=default route=default rid=[0-9a-f]{32} in=\\d+"), text);
    }

    @Test
    void aStalledLogHandlerDoesNotStallTraffic() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        Handler stalled = new Handler() {
            @Override
            public void publish(LogRecord record) {
                try {
                    release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        asyncHandler().addHandler(stalled);
        try {
            List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                responses.add(client.sendAsync(HttpRequest.newBuilder(proxy.resolve("/while-stalled")).build(),
                        BodyHandlers.ofString()));
            }
            for (CompletableFuture<HttpResponse<String>> response : responses) {
                assertEquals(200, response.get(10, TimeUnit.SECONDS).statusCode(),
                        "the 8-line queue is full: lines are dropped, requests are not held");
            }
        } finally {
            release.countDown();
            asyncHandler().removeHandler(stalled);
        }
    }
}

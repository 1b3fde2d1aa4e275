package io.lb.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import jakarta.inject.Inject;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.lb.balancer.Backend;
import io.lb.balancer.BackendPool;
import io.lb.config.BackendSpecParser;
import io.lb.testing.Pools;
import io.lb.testing.RawHttp;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * The pool of kept-alive connections to plain HTTP/1.1 backends, seen from the backend's side of the
 * wire: how many TCP connections it accepts, how many are open at once, when they close and how many requests each
 * one carries. The backend is a bare {@link ServerSocket}, so that every count comes from the kernel's accepts and
 * end-of-streams, never from the balancer's own bookkeeping, and so that it can answer what a well-behaved server
 * library would not (an interim 103, {@code Connection: close} on a socket it keeps open).
 */
@QuarkusTest
@TestProfile(BackendConnectionPoolTest.SmallPool.class)
class BackendConnectionPoolTest {

    public static class SmallPool implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "lb.client.max-connections-per-backend", "2",
                    "lb.client.keep-alive-timeout", "1s",
                    "lb.timeout.response", "2s",
                    // The cap is per event loop: max-connections-per-backend divided by the number of event loops,
                    // rounded up. With the default (2 × cores) loops every loop would get a cap of 1 and the
                    // backend could see one connection per loop; with a single loop the cap is exactly 2.
                    "quarkus.vertx.event-loops-pool-size", "1",
                    // Active health probes open connections of their own: keep them away from the counts.
                    "lb.health.interval", "1h",
                    "lb.health.down-interval", "1h");
        }
    }

    private static final String OK = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

    @TestHTTPResource("/")
    URI proxy;

    @Inject
    BackendPool pool;

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private SocketBackend backend;
    /** A second backend, for the tests that need somewhere else to go. */
    private SocketBackend other;

    @AfterEach
    void countsBackToZero() {
        try {
            Pools.awaitAllIdle(pool);
            if (backend != null) {
                Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> backend.inFlight() == 0);
            }
        } finally {
            if (backend != null) {
                backend.close();
            }
            if (other != null) {
                other.close();
            }
        }
    }

    @Test
    void sequentialRequestsReuseOneKeptAliveBackendConnection() throws Exception {
        backend = install(new SocketBackend(head -> OK));
        for (int i = 0; i < 20; i++) {
            HttpResponse<String> response = get("/seq" + i);
            assertEquals(200, response.statusCode(), response.body());
            assertEquals("ok", response.body());
        }
        assertEquals(20, backend.requests(), "every request reached the backend");
        assertEquals(1, backend.accepted(), "20 sequential requests must ride one kept-alive connection");
        assertEquals(0, backend.closed(), "the connection is kept, not closed between requests");
    }

    @Test
    void concurrentRequestsNeverOpenMoreThanTheCapAndTheWaitersAreServed() throws Exception {
        backend = install(new SocketBackend(head -> OK).holding(300));
        List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            responses.add(client.sendAsync(HttpRequest.newBuilder(proxy.resolve("/c" + i))
                    .timeout(Duration.ofSeconds(10)).build(), BodyHandlers.ofString()));
        }
        for (CompletableFuture<HttpResponse<String>> future : responses) {
            HttpResponse<String> response = future.get();
            assertEquals(200, response.statusCode(), response.body());
            assertEquals("ok", response.body());
        }
        assertEquals(6, backend.requests(), "each request reached the backend once");
        assertEquals(2, backend.maxOpen(), "two connections at once at most, and the cap of two is used");
        assertEquals(2, backend.accepted(), "the four beyond the cap waited for a connection handed back");
    }

    @Test
    void anIdleConnectionIsClosedAfterTheKeepAliveTimeoutAndTheNextRequestGetsANewOne() throws Exception {
        backend = install(new SocketBackend(head -> OK));
        assertEquals(200, get("/first").statusCode());
        long answered = System.nanoTime();
        assertEquals(1, backend.accepted());
        Awaitility.await().atMost(Duration.ofSeconds(3)).pollInterval(Duration.ofMillis(20))
                .until(() -> backend.closed() == 1);
        long idleMillis = (backend.lastClosedNanos() - answered) / 1_000_000;
        assertTrue(idleMillis >= 800, "closed after " + idleMillis + " ms: before the keep-alive timeout of 1 s");

        HttpResponse<String> next = get("/second");
        assertEquals(200, next.statusCode(), next.body());
        assertEquals("ok", next.body());
        assertEquals(2, backend.accepted(), "the closed connection is not reused: a new one is made");
    }

    @Test
    void aBackendAnsweringConnectionCloseGetsANewConnectionPerRequest() throws Exception {
        // the backend announces the close but leaves the socket open: the balancer itself must close it
        backend = install(new SocketBackend(
                head -> "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok"));
        for (int i = 0; i < 5; i++) {
            HttpResponse<String> response = get("/close" + i);
            assertEquals(200, response.statusCode(), response.body());
            assertEquals("ok", response.body());
        }
        assertEquals(5, backend.accepted(), "one connection per request");
        assertEquals(List.of(1, 1, 1, 1, 1), backend.requestsPerConnection(), "no connection carried a second request");
        Awaitility.await().atMost(Duration.ofSeconds(3)).until(() -> backend.closed() == 5);
    }

    @Test
    void anHttp10ResponseWithoutKeepAliveClosesItsConnection() throws Exception {
        backend = install(new SocketBackend(head -> "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok"));
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> response = get("/old" + i);
            assertEquals(200, response.statusCode(), response.body());
            assertEquals("ok", response.body());
        }
        assertEquals(3, backend.accepted(), "one connection per request");
        assertEquals(List.of(1, 1, 1), backend.requestsPerConnection());
        Awaitility.await().atMost(Duration.ofSeconds(3)).until(() -> backend.closed() == 3);
    }

    @Test
    void anEarlyHintsResponseIsSkippedAndTheFinalResponseRelayed() throws Exception {
        backend = install(new SocketBackend(
                head -> "HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n" + OK));
        for (int i = 0; i < 2; i++) {
            HttpResponse<String> response = get("/hints" + i);
            assertEquals(200, response.statusCode(), response.body());
            assertEquals("ok", response.body());
        }
        // the connection came out of the interim response in a clean state: it carried the second request too
        assertEquals(1, backend.accepted());
        assertEquals(List.of(2), backend.requestsPerConnection());
    }

    @Test
    void anUnsolicited100ContinueIsSkippedAndTheFinalResponseRelayed() throws Exception {
        backend = install(new SocketBackend(head -> "HTTP/1.1 100 Continue\r\n\r\n" + OK));
        HttpResponse<String> response = get("/continue");
        assertEquals(200, response.statusCode(), response.body());
        assertEquals("ok", response.body());
    }

    @Test
    void aRequestAbortedByItsClientClosesItsBackendConnectionForGood() throws Exception {
        backend = install(new SocketBackend(head -> head.startsWith("GET /hang ") ? null : OK));
        try (RawHttp raw = RawHttp.connect(proxy)) {
            raw.send("GET /hang HTTP/1.1\r\nHost: t\r\n\r\n");
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> backend.requests() == 1);
            raw.abort();
        }
        Awaitility.await().atMost(Duration.ofSeconds(3)).until(() -> backend.closed() == 1);
        HttpResponse<String> next = get("/after");
        assertEquals(200, next.statusCode(), next.body());
        assertEquals(2, backend.accepted(), "the aborted exchange's connection is never reused");
        assertEquals(List.of(1, 1), backend.requestsPerConnection());
    }

    @Test
    void aHeadAnsweredAfterAnInterimResponseEndsWithItsHeadAndKeepsTheConnection() throws Exception {
        // Netty's client codec forgets that a request was a HEAD once an interim response arrives, and would then
        // wait for the body announced by Content-Length, which a HEAD response never has
        backend = install(new SocketBackend(head -> "HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n"
                + (head.startsWith("HEAD ") ? "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n" : OK)));
        HttpResponse<Void> head = client.send(HttpRequest.newBuilder(proxy.resolve("/head"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(5)).build(),
                BodyHandlers.discarding());
        assertEquals(200, head.statusCode());
        assertEquals("2", head.headers().firstValue("Content-Length").orElse(null));
        HttpResponse<String> next = get("/after-head");
        assertEquals("ok", next.body(), "the connection is in step: the next answer is read as an answer");
        assertEquals(1, backend.accepted());
    }

    @Test
    void aRequestWhoseClientLeftWhileWaitingForAConnectionHandsThatConnectionOn() throws Exception {
        backend = install(new SocketBackend(head -> OK).holding(600));
        List<CompletableFuture<HttpResponse<String>>> holding = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            holding.add(client.sendAsync(HttpRequest.newBuilder(proxy.resolve("/held" + i))
                    .timeout(Duration.ofSeconds(10)).build(), BodyHandlers.ofString()));
        }
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> backend.requests() == 2);
        try (RawHttp raw = RawHttp.connect(proxy)) {
            raw.send("GET /queued HTTP/1.1\r\nHost: t\r\n\r\n"); // third one: waits for a connection
            Thread.sleep(100); // let it reach the queue; there is nothing to observe from outside
            raw.abort();
        }
        for (CompletableFuture<HttpResponse<String>> response : holding) {
            assertEquals(200, response.get().statusCode());
        }
        assertEquals(200, get("/next").statusCode());
        assertEquals(2, backend.accepted(), "the connection the departed waiter got went back to the pool");
        assertEquals(0, backend.closed(), "no healthy connection was closed for a request that never left");
        assertEquals(3, backend.requests(), "the departed client's request never reached the backend");
    }

    @Test
    void aRequestWaitingForAConnectionLongerThanThePerTryTimeoutGetsA504() throws Exception {
        // Both connections of the cap carry streams that outlast the per-try timeout (2 s) without breaking it:
        // their heads arrived, their bodies are on their way. A third request can only wait for a connection.
        CountDownLatch streamsGoOn = new CountDownLatch(1);
        backend = install(streamingBackend(streamsGoOn));
        List<CompletableFuture<HttpResponse<String>>> streams = twoStreamsTakingBothConnections();

        HttpResponse<String> queued = get("/queued");
        assertEquals(504, queued.statusCode(), "the wait for a connection ends with the per-try timeout");
        streamsGoOn.countDown();
        for (CompletableFuture<HttpResponse<String>> stream : streams) {
            HttpResponse<String> response = stream.get(10, TimeUnit.SECONDS);
            assertEquals(200, response.statusCode());
            assertEquals("abcd", response.body(), "the streams themselves were not cut by the timeout");
        }
        assertEquals(2, backend.requests(), "the request that timed out waiting never reached the backend");
        assertEquals(0, backend.closed(), "no connection was closed for it: the one it got later went back");
    }

    @Test
    void aPostThatRanOutOfTimeWaitingForAConnectionIsSentToAnotherBackend() throws Exception {
        // Nothing of the POST left while it waited for a connection, so it may go elsewhere like a refused one.
        // The streaming backend's weight keeps it the least loaded by (active + 1) / weight even at the cap.
        CountDownLatch streamsGoOn = new CountDownLatch(1);
        backend = install(streamingBackend(streamsGoOn), 1000);
        other = new SocketBackend(head -> OK);
        pool.add(BackendSpecParser.parse(other.url()));
        List<CompletableFuture<HttpResponse<String>>> streams = twoStreamsTakingBothConnections();

        HttpResponse<String> posted = client.send(HttpRequest.newBuilder(proxy.resolve("/order"))
                .POST(HttpRequest.BodyPublishers.ofString("one order")).timeout(Duration.ofSeconds(10)).build(),
                BodyHandlers.ofString());
        assertEquals(200, posted.statusCode(), posted.body());
        assertEquals(1, other.requests(), "the POST went to the other backend");
        assertEquals(2, backend.requests(), "and never reached the busy one");
        streamsGoOn.countDown();
        for (CompletableFuture<HttpResponse<String>> stream : streams) {
            assertEquals("abcd", stream.get(10, TimeUnit.SECONDS).body());
        }
    }

    /** Answers GET /stream* with a chunked body whose second half waits for {@code streamsGoOn}; the rest "ok". */
    private static SocketBackend streamingBackend(CountDownLatch streamsGoOn) throws IOException {
        return new SocketBackend(head -> head.startsWith("GET /stream")
                ? "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n" + SocketBackend.PAUSE
                        + "2\r\ncd\r\n0\r\n\r\n"
                : OK).pausingUntil(streamsGoOn);
    }

    /** Two streams of {@link #streamingBackend}, both under way: the pool's cap of two is taken. */
    private List<CompletableFuture<HttpResponse<String>>> twoStreamsTakingBothConnections() {
        List<CompletableFuture<HttpResponse<String>>> streams = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            streams.add(client.sendAsync(HttpRequest.newBuilder(proxy.resolve("/stream" + i))
                    .timeout(Duration.ofSeconds(20)).build(), BodyHandlers.ofString()));
        }
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> backend.requests() == 2);
        return streams;
    }

    private HttpResponse<String> get(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(proxy.resolve(path)).timeout(Duration.ofSeconds(10)).build(),
                BodyHandlers.ofString());
    }

    /** Makes {@code socketBackend} the pool's only backend. */
    private SocketBackend install(SocketBackend socketBackend) {
        return install(socketBackend, 1);
    }

    private SocketBackend install(SocketBackend socketBackend, int weight) {
        for (Backend existing : pool.all()) {
            pool.remove(existing.id());
        }
        pool.add(BackendSpecParser.parse(socketBackend.url() + ";weight=" + weight));
        return socketBackend;
    }

    /**
     * An HTTP/1.1 backend on a plain server socket, one thread per connection, any number of requests per
     * connection. It answers each request head (requests with a Content-Length body have it read first) with
     * what {@code answer} gives, optionally after holding it; a null answer means never: the request hangs until
     * the peer closes. A connection counts as closed when its peer closes or resets it.
     */
    static final class SocketBackend implements AutoCloseable {

        /** In an answer: what comes before is sent at once, the rest once the {@link #pausingUntil} latch opens. */
        static final String PAUSE = "\u0000pause\u0000";

        private final ServerSocket server;
        private final Function<String, String> answer;
        private volatile long holdMillis;
        private volatile CountDownLatch pause = new CountDownLatch(0);
        private final AtomicInteger accepted = new AtomicInteger();
        private final AtomicInteger open = new AtomicInteger();
        private final AtomicInteger maxOpen = new AtomicInteger();
        private final AtomicInteger closed = new AtomicInteger();
        private final AtomicInteger requests = new AtomicInteger();
        private final AtomicInteger inFlight = new AtomicInteger();
        private final List<AtomicInteger> perConnection = new CopyOnWriteArrayList<>();
        private final List<Socket> sockets = new CopyOnWriteArrayList<>();
        private volatile long lastClosedNanos;
        private volatile boolean stopped;

        SocketBackend(Function<String, String> answer) throws IOException {
            this.answer = answer;
            this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread acceptor = new Thread(this::acceptLoop, "socket-backend-" + server.getLocalPort());
            acceptor.setDaemon(true);
            acceptor.start();
        }

        SocketBackend holding(long millis) {
            this.holdMillis = millis;
            return this;
        }

        SocketBackend pausingUntil(CountDownLatch latch) {
            this.pause = latch;
            return this;
        }

        String url() {
            return "http://127.0.0.1:" + server.getLocalPort();
        }

        int accepted() {
            return accepted.get();
        }

        int maxOpen() {
            return maxOpen.get();
        }

        int closed() {
            return closed.get();
        }

        int requests() {
            return requests.get();
        }

        int inFlight() {
            return inFlight.get();
        }

        long lastClosedNanos() {
            return lastClosedNanos;
        }

        /** How many requests each accepted connection carried, in the order they were accepted. */
        List<Integer> requestsPerConnection() {
            return perConnection.stream().map(AtomicInteger::get).toList();
        }

        @Override
        public void close() {
            stopped = true;
            try {
                server.close();
            } catch (IOException ignored) {
                // closing anyway
            }
            for (Socket socket : sockets) {
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // closing anyway
                }
            }
        }

        private void acceptLoop() {
            while (!stopped) {
                Socket socket;
                try {
                    socket = server.accept();
                } catch (IOException e) {
                    return; // closed
                }
                accepted.incrementAndGet();
                maxOpen.accumulateAndGet(open.incrementAndGet(), Math::max);
                AtomicInteger carried = new AtomicInteger();
                perConnection.add(carried);
                sockets.add(socket);
                Thread serving = new Thread(() -> serve(socket, carried), "socket-backend-connection");
                serving.setDaemon(true);
                serving.start();
            }
        }

        private void serve(Socket socket, AtomicInteger carried) {
            try (socket) {
                InputStream in = new BufferedInputStream(socket.getInputStream());
                OutputStream out = socket.getOutputStream();
                String head;
                while ((head = readHead(in)) != null) {
                    int length = contentLength(head);
                    if (length > 0) {
                        in.readNBytes(length);
                    }
                    carried.incrementAndGet();
                    requests.incrementAndGet();
                    inFlight.incrementAndGet();
                    try {
                        if (holdMillis > 0) {
                            Thread.sleep(holdMillis); // the backend is slow: not a synchronisation
                        }
                        String reply = answer.apply(head);
                        if (reply == null) {
                            while (in.read() >= 0) {
                                // never answers; waits for the peer to give up
                            }
                            return;
                        }
                        int pauseAt = reply.indexOf(PAUSE);
                        if (pauseAt >= 0) {
                            out.write(reply.substring(0, pauseAt).getBytes(StandardCharsets.ISO_8859_1));
                            out.flush();
                            pause.await(20, TimeUnit.SECONDS);
                            reply = reply.substring(pauseAt + PAUSE.length());
                        }
                        out.write(reply.getBytes(StandardCharsets.ISO_8859_1));
                        out.flush();
                    } finally {
                        inFlight.decrementAndGet();
                    }
                }
            } catch (IOException | InterruptedException e) {
                // a reset is a close as well
            } finally {
                lastClosedNanos = System.nanoTime();
                open.decrementAndGet();
                closed.incrementAndGet();
            }
        }

        /** One request head, or null if the peer closed before a whole one arrived. */
        private static String readHead(InputStream in) throws IOException {
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            int matched = 0;
            while (matched < 4) {
                int b = in.read();
                if (b < 0) {
                    return null;
                }
                head.write(b);
                matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3))
                        ? matched + 1 : (b == '\r' ? 1 : 0);
            }
            return head.toString(StandardCharsets.ISO_8859_1);
        }

        private static int contentLength(String head) {
            for (String line : head.split("\r\n")) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase("content-length")) {
                    return Integer.parseInt(line.substring(colon + 1).trim());
                }
            }
            return 0;
        }
    }
}

package io.lb.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.lb.balancer.BackendPool;
import io.lb.testing.Pools;
import io.lb.testing.RawHttp;
import io.lb.testing.TestBackend;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;

/**
 * 200 MB each way through the balancer while the far side reads slowly (the download also to an HTTP/2 client,
 * whose stream window is all the balancer may send it ahead of its reading). Streaming with back-pressure means
 * the bytes "inside" the balancer (sent by one side, not yet received by the other) stay at a few socket
 * buffers' worth; a proxy that buffered would hold up to the whole body.
 */
@QuarkusTest
class LargeBodyStreamingTest {

    static final long SIZE = 200L * 1024 * 1024;
    /** Socket buffers on both connections plus a few Vert.x write queues; nothing near the body size. */
    static final long MAX_IN_BALANCER = 48L * 1024 * 1024;
    static final long SLOW_READER_BYTES_PER_10_MS = 1024 * 1024;

    static TestBackend backend;

    @TestHTTPResource("/")
    URI proxy;

    @Inject
    BackendPool pool;

    @BeforeAll
    static void startBackend() {
        backend = TestBackend.start("bulk");
    }

    @AfterAll
    static void stopBackend() {
        backend.close();
    }

    @BeforeEach
    void install() {
        Pools.use(pool, backend);
    }

    @AfterEach
    void countsBackToZero() {
        Pools.awaitAllIdle(pool);
    }

    @Test
    void uploadStreamsWithBackPressure() throws Exception {
        AtomicLong received = new AtomicLong();
        AtomicLong sent = new AtomicLong();
        AtomicLong maxInBalancer = new AtomicLong();
        backend.behave(request -> {
            // a slow reader: about 100 MB/s, paused between 10 ms windows
            AtomicLong window = new AtomicLong();
            long timer = TestBackend.vertx().setPeriodic(10, id -> {
                window.set(0);
                request.resume();
            });
            request.handler(chunk -> {
                received.addAndGet(chunk.length());
                maxInBalancer.accumulateAndGet(sent.get() - received.get(), Math::max);
                if (window.addAndGet(chunk.length()) > SLOW_READER_BYTES_PER_10_MS) {
                    request.pause();
                }
            });
            request.endHandler(ignored -> {
                TestBackend.vertx().cancelTimer(timer);
                request.response().end(String.valueOf(received.get()));
            });
        });
        // a plain socket: what write() returned from is in the kernel, not in a client library's buffers
        try (RawHttp raw = RawHttp.connect(proxy)) {
            raw.send("POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: " + SIZE + "\r\n\r\n");
            byte[] chunk = new byte[64 * 1024];
            while (sent.get() < SIZE) {
                raw.send(chunk);
                sent.addAndGet(chunk.length);
            }
            String response = raw.readResponse();
            assertTrue(response.startsWith("HTTP/1.1 200"), response);
            assertTrue(response.endsWith("\r\n\r\n" + SIZE), response);
        }
        assertTrue(maxInBalancer.get() < MAX_IN_BALANCER,
                "at most " + maxInBalancer.get() / 1024 / 1024 + " MB may sit between client and backend");
    }

    @Test
    void downloadStreamsWithBackPressure() throws Exception {
        AtomicLong written = new AtomicLong();
        serveDownload(written);
        var response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(proxy.resolve("/download")).build(),
                BodyHandlers.ofInputStream());
        assertEquals(200, response.statusCode());
        long read = 0;
        long maxInBalancer = 0;
        byte[] buffer = new byte[256 * 1024];
        try (InputStream body = response.body()) {
            long windowStart = System.nanoTime();
            long windowBytes = 0;
            for (int n; (n = body.read(buffer)) > 0;) {
                read += n;
                windowBytes += n;
                maxInBalancer = Math.max(maxInBalancer, written.get() - read);
                if (windowBytes > SLOW_READER_BYTES_PER_10_MS) {
                    long sleepNanos = 10_000_000 - (System.nanoTime() - windowStart);
                    if (sleepNanos > 0) {
                        Thread.sleep(sleepNanos / 1_000_000, (int) (sleepNanos % 1_000_000));
                    }
                    windowStart = System.nanoTime();
                    windowBytes = 0;
                }
            }
        }
        assertEquals(SIZE, read);
        assertTrue(maxInBalancer < MAX_IN_BALANCER,
                "at most " + maxInBalancer / 1024 / 1024 + " MB may sit between backend and client");
    }

    @Test
    void downloadToASlowHttp2ClientFollowsItsFlowControlWindow() throws Exception {
        AtomicLong written = new AtomicLong();
        serveDownload(written);
        // prior-knowledge h2c; the client pauses its stream between 10 ms windows, so it grants the balancer no
        // more window than it has read
        io.vertx.core.http.HttpClient h2 = TestBackend.vertx().createHttpClient(new HttpClientOptions()
                .setProtocolVersion(HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false));
        try {
            AtomicLong read = new AtomicLong();
            AtomicLong maxInBalancer = new AtomicLong();
            CompletableFuture<String> done = new CompletableFuture<>();
            h2.request(HttpMethod.GET, proxy.getPort(), "127.0.0.1", "/download")
                    .compose(request -> request.send())
                    .onSuccess(response -> {
                        if (response.version() != HttpVersion.HTTP_2 || response.statusCode() != 200) {
                            done.completeExceptionally(
                                    new AssertionError(response.version() + " " + response.statusCode()));
                            return;
                        }
                        AtomicLong window = new AtomicLong();
                        long timer = TestBackend.vertx().setPeriodic(10, id -> {
                            window.set(0);
                            response.resume();
                        });
                        response.handler(chunk -> {
                            long total = read.addAndGet(chunk.length());
                            maxInBalancer.accumulateAndGet(written.get() - total, Math::max);
                            if (window.addAndGet(chunk.length()) > SLOW_READER_BYTES_PER_10_MS) {
                                response.pause();
                            }
                        });
                        response.endHandler(ignored -> {
                            TestBackend.vertx().cancelTimer(timer);
                            done.complete("ended");
                        });
                        response.exceptionHandler(done::completeExceptionally);
                    })
                    .onFailure(done::completeExceptionally);
            assertEquals("ended", done.get(120, TimeUnit.SECONDS));
            assertEquals(SIZE, read.get());
            assertTrue(maxInBalancer.get() < MAX_IN_BALANCER,
                    "at most " + maxInBalancer.get() / 1024 / 1024 + " MB may sit between backend and client");
        } finally {
            h2.close();
        }
    }

    /** The backend answers /download with SIZE bytes, written as fast as the balancer takes them. */
    private static void serveDownload(AtomicLong written) {
        backend.behave(request -> {
            if (!request.path().equals("/download")) {
                // an active health probe: it must not run a second pump on the shared byte count, which would end
                // the download's response short of its Content-Length (seen as a 60 s stall, then a reset)
                request.response().end();
                return;
            }
            var response = request.response().putHeader("Content-Length", String.valueOf(SIZE));
            Buffer chunk = Buffer.buffer(new byte[64 * 1024]);
            Runnable[] pump = new Runnable[1];
            pump[0] = () -> {
                while (written.get() < SIZE && !response.writeQueueFull()) {
                    response.write(chunk);
                    written.addAndGet(chunk.length());
                }
                if (written.get() >= SIZE) {
                    response.end();
                } else {
                    response.drainHandler(ignored -> pump[0].run());
                }
            };
            pump[0].run();
        });
    }
}

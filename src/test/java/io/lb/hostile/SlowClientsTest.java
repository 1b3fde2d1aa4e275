package io.lb.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.lb.balancer.BackendPool;
import io.lb.testing.Pools;
import io.lb.testing.RawHttp;
import io.lb.testing.TestBackend;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/** Idle and slow clients are closed by the idle timeout, and a connection cap bounds what they can hold. */
@QuarkusTest
@TestProfile(SlowClientsTest.ShortIdleTimeoutAndCap.class)
class SlowClientsTest {

    static final int CAP = 20;

    public static class ShortIdleTimeoutAndCap implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.http.idle-timeout", "1s", "quarkus.http.limits.max-connections", String.valueOf(CAP));
        }
    }

    @TestHTTPResource("/")
    URI proxy;

    @Inject
    BackendPool pool;

    @AfterEach
    void countsBackToZero() {
        Pools.awaitAllIdle(pool);
    }

    @Test
    void aClientThatStopsMidHeadersIsClosedByTheIdleTimeout() throws Exception {
        try (RawHttp raw = RawHttp.connect(proxy)) {
            raw.send("GET /slow HTTP/1.1\r\nHost: t\r\nX-Partial: ");
            long start = System.nanoTime();
            String answer = raw.readUntilClosed();
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(millis < 5_000, "closed after " + millis + " ms");
            assertTrue(!answer.contains("200"), answer);
        }
    }

    @Test
    void idleConnectionsBeyondTheCapAreTurnedAwayAndCapacityComesBack() throws Exception {
        try (TestBackend backend = TestBackend.start("capped")) {
            Pools.use(pool, backend);
            List<Socket> idle = new ArrayList<>();
            try {
                for (int i = 0; i < CAP + 5; i++) {
                    idle.add(new Socket(proxy.getHost(), proxy.getPort()));
                }
                Socket extra = idle.get(idle.size() - 1);
                extra.setSoTimeout(5_000);
                assertEquals(-1, readOrClosed(extra), "a connection over the cap is closed at once");
            } finally {
                for (Socket socket : idle) {
                    socket.close();
                }
            }
            // the idle ones are gone (closed by us or by the idle timeout): a real client is served again
            var deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            String answer = "";
            while (System.nanoTime() < deadline && !answer.startsWith("HTTP/1.1 200")) {
                try (RawHttp raw = RawHttp.connect(proxy)) {
                    answer = raw.send("GET /ok HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n").readUntilClosed();
                } catch (IOException e) {
                    answer = e.toString();
                }
            }
            assertTrue(answer.startsWith("HTTP/1.1 200"), answer);
        }
    }

    private static int readOrClosed(Socket socket) {
        try {
            return socket.getInputStream().read();
        } catch (IOException e) {
            return -1;
        }
    }
}

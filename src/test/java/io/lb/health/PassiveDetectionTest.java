package io.lb.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import io.lb.balancer.Backend;
import io.lb.balancer.BackendState;
import io.lb.testing.TestBackend;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** UP backends are probed every 60 s here: going DOWN within a test can only be passive detection. */
@QuarkusTest
@TestProfile(LongIntervalProfile.class)
class PassiveDetectionTest extends HealthTestSupport {

    @Test
    void aRefusedConnectionTakesTheBackendDownAtOnceAndNoLaterRequestGoesThere() {
        TestBackend dead = backend("dead");
        TestBackend alive = backend("alive");
        Backend backend = lb(dead);
        dead.stop();

        int sent = 0;
        while (backend.state() == BackendState.UP && sent < 100) {
            // the request that hits the dead backend is retried on the other one: users see no error
            get("/x").then().statusCode(200);
            sent++;
        }
        assertEquals(BackendState.DOWN, backend.state(), "DOWN after " + sent + " requests");
        assertEquals(1, backend.failureCount(), "the one request that hit the dead backend took it DOWN");
        long requestsAtDown = backend.requestCount();

        for (int i = 0; i < 20; i++) {
            get("/y").then().statusCode(200);
        }
        assertEquals(requestsAtDown, backend.requestCount(), "no request was sent to the DOWN backend");
        assertTrue(alive.requestCount() >= 20);
    }

    @Test
    void aDownBackendIsReprobedOnTheShortIntervalAndRecoversLongBeforeTheRegularOne() {
        TestBackend flapping = backend("flapping");
        backend("other");
        Backend backend = lb(flapping);
        flapping.stop();
        for (int i = 0; i < 100 && backend.state() == BackendState.UP; i++) {
            get("/x");
        }
        assertEquals(BackendState.DOWN, backend.state());
        flapping.restart();
        long start = System.nanoTime();
        // rise=2 probes 1 s apart; the regular interval is 60 s
        eventually().atMost(Duration.ofSeconds(30)).until(() -> backend.state() == BackendState.UP);
        long seconds = (System.nanoTime() - start) / 1_000_000_000L;
        assertTrue(seconds < 30, "recovered after " + seconds + " s");
        assertTrue(backend.lastCheck().healthy());
    }
}

package io.lb.health;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import io.lb.balancer.Backend;
import io.lb.balancer.BackendState;
import io.lb.testing.Behaviours;
import io.lb.testing.TestBackend;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

@QuarkusTest
@TestProfile(FastChecksProfile.class)
class ActiveHealthCheckTest extends HealthTestSupport {

    @Test
    void aStoppedBackendGoesDownAndComesBackUpWhenRestarted() {
        TestBackend a = backend("a");
        Backend backend = lb(a);
        eventually().until(() -> backend.lastCheck() != null && backend.lastCheck().healthy());

        a.stop();
        eventually().until(() -> backend.state() == BackendState.DOWN);
        assertFalse(backend.lastCheck().healthy());
        assertTrue(backend.lastCheck().detail().startsWith("connection failed"), backend.lastCheck().detail());

        a.restart();
        eventually().until(() -> backend.state() == BackendState.UP);
        assertTrue(backend.lastCheck().healthy());
    }

    @Test
    void aBackendThatHangsFailsItsProbesByTimeoutAndGoesDown() {
        TestBackend a = backend("a");
        Backend backend = lb(a);
        a.behave(Behaviours.hang());
        eventually().until(() -> backend.state() == BackendState.DOWN);
        assertTrue(backend.lastCheck().detail().startsWith("no response within"), backend.lastCheck().detail());

        a.behave(Behaviours.answerWithName("a"));
        eventually().until(() -> backend.state() == BackendState.UP);
    }

    @Test
    void aBackendAnswering500ToProbesGoesDown() {
        TestBackend a = backend("a");
        Backend backend = lb(a);
        a.behave(Behaviours.status(500));
        eventually().until(() -> backend.state() == BackendState.DOWN);
        assertEquals("status 500", backend.lastCheck().detail());
    }

    @Test
    void oneFailedProbeDoesNotTakeABackendDownWhenFallIsTwo() {
        TestBackend a = backend("a");
        Backend backend = lb(a);
        long upSince = backend.upSinceNanos();
        AtomicBoolean failed = new AtomicBoolean();
        AtomicInteger probesAfterFailure = new AtomicInteger();
        a.behave(probesAndTraffic(request -> {
            if (failed.compareAndSet(false, true)) {
                Behaviours.status(503).handle(request);
            } else {
                if (failed.get()) {
                    probesAfterFailure.incrementAndGet();
                }
                Behaviours.answerWithName("a").handle(request);
            }
        }, Behaviours.answerWithName("a")));

        // probes of one backend never overlap: when the second probe after the failure arrives, the failure and
        // the first good probe after it have both been recorded
        eventually().until(() -> probesAfterFailure.get() >= 2);
        assertEquals(BackendState.UP, backend.state(), "one failed probe is not enough with fall=2");
        assertEquals(upSince, backend.upSinceNanos(), "it never went DOWN in between");
        assertTrue(metric("lb_health_checks_total", "backend=\"" + a.url() + "\"", "result=\"unhealthy\"") >= 1);
    }

    @Test
    void probesAreGetsOfTheConfiguredPathOnFreshConnections() {
        TestBackend a = backend("a");
        eventually().until(() -> a.received().stream().filter(HealthTestSupport::isProbe).count() >= 2);
        List<TestBackend.ReceivedRequest> probes = a.received().stream().filter(HealthTestSupport::isProbe).toList();
        for (TestBackend.ReceivedRequest probe : probes) {
            assertEquals("GET", probe.method());
            assertEquals("/healthz", probe.uri());
            assertEquals("close", probe.headers().get("Connection"));
        }
    }

    /**
     * A 1 s period means a probe every second, give or take the 10 % jitter: never a second skipped (the Quarkus
     * scheduler skips one whenever its once-a-second look lands just before a second's boundary).
     */
    @Test
    void probesComeOncePerPeriodWithoutSkippingOne() {
        List<Long> arrivals = new CopyOnWriteArrayList<>();
        TestBackend a = backend("a");
        a.behave(probesAndTraffic(request -> {
            arrivals.add(System.nanoTime());
            request.response().end();
        }, Behaviours.answerWithName("a")));
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() -> arrivals.size() >= 7);

        for (int i = 1; i < arrivals.size(); i++) {
            long gapMillis = (arrivals.get(i) - arrivals.get(i - 1)) / 1_000_000;
            assertTrue(gapMillis > 700 && gapMillis < 1_500, "probe " + i + " came " + gapMillis + " ms after the one"
                    + " before: " + arrivals);
        }
    }

    @Test
    void probeResultsAreCountedInMetrics() {
        TestBackend a = backend("a");
        String tag = "backend=\"" + a.url() + "\"";
        eventually().until(() -> metric("lb_health_checks_total", tag, "result=\"healthy\"") >= 1);
        double healthy = metric("lb_health_checks_total", tag, "result=\"healthy\"");
        eventually().until(() -> metric("lb_health_checks_total", tag, "result=\"healthy\"") > healthy);

        a.behave(Behaviours.status(500));
        eventually().until(() -> metric("lb_health_checks_total", tag, "result=\"unhealthy\"") >= 1);
    }
}

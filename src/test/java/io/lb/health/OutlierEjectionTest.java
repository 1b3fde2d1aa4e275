package io.lb.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.lb.balancer.Backend;
import io.lb.balancer.BackendState;
import io.lb.testing.Behaviours;
import io.lb.testing.TestBackend;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** Backends whose health check passes but whose traffic fails: only outlier ejection protects users here. */
@QuarkusTest
@TestProfile(FastChecksProfile.class)
class OutlierEjectionTest extends HealthTestSupport {

    @Inject
    PassiveHealth passive;

    @Test
    void consecutive500sEjectABackendAndItsNextPassingProbeBringsItBack() {
        TestBackend failing = backend("failing");
        backend("good");
        failing.behave(probesAndTraffic(Behaviours.answerWithName("failing"), Behaviours.status(500)));
        Backend ejected = lb(failing);
        String tag = "backend=\"" + failing.url() + "\"";
        double ejectionsBefore = metric("lb_backend_ejections_total", tag);

        // sequential requests: both idle each time, so ties are broken at random and the failing one gets some
        for (int i = 0; i < 200 && !ejected.ejected(); i++) {
            get("/x");
        }
        assertTrue(ejected.ejected(), "3 consecutive 500s eject the backend");
        long ejectedAt = System.nanoTime();
        assertEquals(BackendState.UP, ejected.state(), "ejection is not DOWN: its health check still passes");
        assertFalse(ejected.acceptsTraffic(), "an ejected backend gets no new exchanges");
        assertEquals(ejectionsBefore + 1, metric("lb_backend_ejections_total", tag));

        // ejected backends are probed at the down-interval (1 s here), and a passing probe ends the ejection
        // (Envoy's successful_active_health_check_uneject_host) well before its 4 s are up
        eventually().until(ejected::acceptsTraffic);
        assertFalse(ejected.ejected());
        assertTrue(System.nanoTime() - ejectedAt < TimeUnit.MILLISECONDS.toNanos(3_500),
                "back after " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - ejectedAt) + " ms");
    }

    @Test
    void theOnlyBackendIsNotEjectedBecauseThatWouldExceedTheEjectionCap() {
        TestBackend failing = backend("failing");
        failing.behave(probesAndTraffic(Behaviours.answerWithName("failing"), Behaviours.status(500)));
        for (int i = 0; i < 10; i++) {
            get("/x").then().statusCode(500);
        }
        Backend backend = lb(failing);
        assertFalse(backend.ejected(), "max-ejection-percent=50 allows no ejection in a pool of one");
        assertTrue(backend.acceptsTraffic());
    }

    @Test
    void onlyConsecutiveErrorsCountAndGatewayErrorsCountToo() {
        Backend flaky = lb(backend("flaky"));
        backend("other");
        passive.responded(flaky, 500);
        passive.gatewayError(flaky, "timeout");
        passive.responded(flaky, 404);
        passive.responded(flaky, 502);
        passive.responded(flaky, 503);
        assertFalse(flaky.ejected(), "a 4xx answer ended the first run of errors");
        passive.gatewayError(flaky, "response cut short");
        assertTrue(flaky.ejected(), "three in a row");
    }
}

package io.lb.health;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import io.lb.balancer.Backend;
import io.lb.balancer.BackendState;
import io.lb.testing.Behaviours;
import io.lb.testing.TestBackend;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;

@QuarkusTest
@TestProfile(FastChecksProfile.class)
class ReadinessTest extends HealthTestSupport {

    @Test
    void readyWhileOneBackendIsUpListingEveryBackendsState() {
        TestBackend a = backend("a");
        TestBackend b = backend("b");
        Backend down = lb(b);
        b.stop();
        eventually().until(() -> down.state() == BackendState.DOWN);

        Response ready = management("/q/health/ready");
        ready.then().statusCode(200)
                .body("status", equalTo("UP"))
                .body(backendState(a), equalTo("UP"))
                .body(backendState(b), equalTo("DOWN"));

        lb(a).draining(true);
        management("/q/health/ready").then().statusCode(503).body(backendState(a), equalTo("DRAINING"));
        lb(a).draining(false);
    }

    @Test
    void notReadyWhenEveryBackendIsDownThenReadyAgain() {
        TestBackend a = backend("a");
        a.stop();
        eventually().until(() -> lb(a).state() == BackendState.DOWN);
        management("/q/health/ready").then().statusCode(503)
                .body("status", equalTo("DOWN"))
                .body(backendState(a), equalTo("DOWN"));

        a.restart();
        eventually().pollInterval(Duration.ofMillis(200))
                .until(() -> management("/q/health/ready").statusCode() == 200);
    }

    @Test
    void anEjectedBackendIsListedAsEjected() {
        TestBackend a = backend("a");
        backend("b");
        lb(a).eject(System.nanoTime() + 60_000_000_000L);
        management("/q/health/ready").then().statusCode(200).body(backendState(a), equalTo("EJECTED"));
    }

    @Test
    void whenEverythingIsDownRequestsGetA503AtOnceWithAPlainTextReason() {
        TestBackend a = backend("a");
        a.behave(Behaviours.status(500));
        eventually().until(() -> lb(a).state() == BackendState.DOWN);

        long start = System.nanoTime();
        Response response = get("/anything");
        long millis = (System.nanoTime() - start) / 1_000_000;
        response.then().statusCode(503)
                .contentType(startsWith("text/plain"))
                .body(containsString("no backend is available"));
        assertTrue(millis < 2_000, "took " + millis + " ms");
    }

    @Test
    void liveRegardlessOfBackends() {
        TestBackend a = backend("a");
        a.stop();
        eventually().until(() -> lb(a).state() == BackendState.DOWN);
        management("/q/health/live").then().statusCode(200)
                .body("checks.find { it.name == 'event-loops' }.status", equalTo("UP"));
    }

    private static String backendState(TestBackend backend) {
        return "checks.find { it.name == 'backends' }.data['" + backend.url() + "']";
    }
}

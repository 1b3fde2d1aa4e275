package io.lb.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;

import org.junit.jupiter.api.Test;

import io.lb.balancer.Backend;
import io.lb.balancer.BackendState;
import io.lb.testing.Behaviours;
import io.lb.testing.TestBackend;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * Under pure least connections a backend that just recovered has no connection in flight and would take every
 * new request until it caught up; with slow start (6 s window here) it takes a small share at first.
 */
@QuarkusTest
@TestProfile(LongIntervalProfile.class)
class SlowStartRecoveryTest extends HealthTestSupport {

    private static final int REQUESTS = 10;

    @Test
    void aRecoveredBackendTakesFewerNewRequestsAtFirst() throws Exception {
        TestBackend recovering = backend("recovering");
        TestBackend steady = backend("steady");
        Backend recoveringBackend = lb(recovering);
        Backend steadyBackend = lb(steady);

        recovering.stop();
        for (int i = 0; i < 100 && recoveringBackend.state() == BackendState.UP; i++) {
            get("/x");
        }
        assertEquals(BackendState.DOWN, recoveringBackend.state());
        // the steady backend's own slow start (it was just added) must be over before the other comes back
        eventually().until(() -> System.nanoTime() - steadyBackend.upSinceNanos() > Duration.ofSeconds(6).toNanos());

        CountDownLatch gate = new CountDownLatch(1);
        recovering.behave(probesAndTraffic(Behaviours.answerWithName("recovering"),
                Behaviours.holdUntil(gate, "recovering")));
        steady.behave(Behaviours.holdUntil(gate, "steady"));
        int recoveringBefore = trafficCount(recovering);
        int steadyBefore = trafficCount(steady);
        recovering.restart();
        eventually().pollInterval(Duration.ofMillis(5)).until(() -> recoveringBackend.state() == BackendState.UP);

        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        List<CompletableFuture<HttpResponse<String>>> held = new ArrayList<>();
        try {
            for (int i = 0; i < REQUESTS; i++) {
                held.add(client.sendAsync(HttpRequest.newBuilder(traffic.resolve("/held/" + i))
                        .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString()));
                int expected = i + 1;
                // one at a time, so each choice sees the previous ones in flight (arrived, hence leased)
                eventually().pollInterval(Duration.ofMillis(2))
                        .until(() -> trafficCount(recovering) - recoveringBefore + trafficCount(steady) - steadyBefore
                                == expected);
            }
            int toRecovering = trafficCount(recovering) - recoveringBefore;
            int toSteady = trafficCount(steady) - steadyBefore;
            assertEquals(REQUESTS, toRecovering + toSteady);
            // without slow start the idle recovered backend would take about half; with it, weight 0.1 to ~0.3
            // (an idle backend under pure least connections would take at least 5 of the 10)
            assertTrue(toRecovering <= 3, toRecovering + " of " + REQUESTS + " went to the recovered backend");
        } finally {
            gate.countDown();
        }
        for (CompletableFuture<HttpResponse<String>> response : held) {
            assertEquals(200, response.get().statusCode());
        }
    }

    private static int trafficCount(TestBackend backend) {
        return (int) backend.received().stream().filter(request -> !isProbe(request)).count();
    }
}

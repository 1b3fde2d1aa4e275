package io.lb.proxy;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.util.HashMap;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.lb.balancer.BackendPool;
import io.lb.testing.Behaviours;
import io.lb.testing.Pools;
import io.lb.testing.TestBackend;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/** With lb.strategy=peak-ewma a backend that answers slower gets fewer requests, even one at a time. */
@QuarkusTest
@TestProfile(PeakEwmaRoutingTest.LatencyAware.class)
class PeakEwmaRoutingTest {

    public static class LatencyAware implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            // a short decay: a first request slowed by a cold JVM must not keep the fast backend penalised for long
            return Map.of("lb.strategy", "peak-ewma", "lb.slow-start.window", "0", "lb.latency-decay", "300ms");
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
    void theSlowBackendGetsFewRequests() throws Exception {
        try (TestBackend fast = TestBackend.start("fast"); TestBackend slow = TestBackend.start("slow")) {
            fast.behave(Behaviours.slow("fast", 2));
            slow.behave(Behaviours.slow("slow", 60));
            Pools.use(pool, fast, slow);
            HttpClient client = HttpClient.newHttpClient();
            for (int i = 0; i < 10; i++) { // both backends sampled, the cold start's outliers decayed
                client.send(HttpRequest.newBuilder(proxy.resolve("/warm")).build(), BodyHandlers.discarding());
            }
            Thread.sleep(600);
            Map<String, Integer> answers = new HashMap<>();
            for (int i = 0; i < 40; i++) {
                String body = client.send(HttpRequest.newBuilder(proxy.resolve("/e")).build(), BodyHandlers.ofString())
                        .body();
                answers.merge(body, 1, Integer::sum);
            }
            // least connections would split one-at-a-time requests evenly; peak-EWMA learns after one sample each
            assertTrue(answers.getOrDefault("slow", 0) <= 4, answers.toString());
        }
    }
}

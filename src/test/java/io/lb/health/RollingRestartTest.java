package io.lb.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

import org.junit.jupiter.api.Test;

import io.lb.balancer.Backend;
import io.lb.balancer.BackendState;
import io.lb.testing.Behaviours;
import io.lb.testing.TestBackend;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * A rolling restart faster than the ejection time (4 s here): three backends answering after 20 ms under 12
 * concurrent clients; every 2 s one of them, in turn, crashes with requests in flight and comes back 2.5 s later on
 * the same port, so for half a second two of the three are out (ejected for the responses cut short, or DOWN for
 * the connections refused): the pool enters panic, and leaves it once they are back. At least one backend is alive
 * throughout, so no client may get the balancer's own "no backend" 503; and every active count returns to zero.
 */
@QuarkusTest
@TestProfile(FastChecksProfile.class)
class RollingRestartTest extends HealthTestSupport {

    private static final String NO_BACKEND = "no backend is available";

    @Test
    void backendsRestartedInTurnNeverLeaveClientsWithoutABackend() throws Exception {
        List<TestBackend> backends = List.of(backend("a"), backend("b"), backend("c"));
        backends.forEach(b -> b.behave(Behaviours.slow(b.name(), 20)));
        double panicsBefore = metric("lb_pool_panics_total", "pool=\"default\"");

        Map<String, LongAdder> outcomes = new ConcurrentHashMap<>();
        AtomicBoolean running = new AtomicBoolean(true);
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        ExecutorService clients = Executors.newFixedThreadPool(12);
        for (int i = 0; i < 12; i++) {
            clients.submit(() -> {
                while (running.get()) {
                    outcomes.computeIfAbsent(send(client), k -> new LongAdder()).increment();
                }
            });
        }
        try {
            Thread.sleep(500);
            TestBackend previous = null;
            for (int kill = 0; kill < 4; kill++) {
                TestBackend victim = backends.get(kill % 3);
                victim.stop();
                Thread.sleep(500);
                if (previous != null) {
                    previous.restart(); // down for 2.5 s, the last 0.5 s of them together with the victim
                }
                Thread.sleep(1_500);
                previous = victim;
            }
            previous.restart();
            eventually().until(() -> pool.all().stream().allMatch(Backend::acceptsTraffic));
        } finally {
            running.set(false);
            clients.shutdown();
            assertTrue(clients.awaitTermination(10, TimeUnit.SECONDS));
        }

        long total = outcomes.values().stream().mapToLong(LongAdder::sum).sum();
        assertEquals(0, count(outcomes, "no_backend"), "outcomes of " + total + " requests: " + outcomes);
        assertTrue(count(outcomes, "200") > total * 0.95, "outcomes: " + outcomes);
        assertTrue(metric("lb_pool_panics_total", "pool=\"default\"") > panicsBefore,
                "two of three backends were out at once: the pool entered panic");
        eventually().until(() -> metric("lb_pool_panic", "pool=\"default\"") == 0.0);
        pool.all().forEach(b -> assertEquals(BackendState.UP, b.state(), b.id()));
        eventually().until(() -> pool.all().stream().allMatch(b -> b.activeConnections() == 0));
    }

    private String send(HttpClient client) {
        try {
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(traffic.resolve("/rolling"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == 503 && response.body().contains(NO_BACKEND)) {
                return "no_backend";
            }
            return String.valueOf(response.statusCode());
        } catch (Exception e) {
            return e.getClass().getSimpleName();
        }
    }

    private static long count(Map<String, LongAdder> outcomes, String key) {
        LongAdder adder = outcomes.get(key);
        return adder == null ? 0 : adder.sum();
    }
}

package io.lb.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;

import jakarta.inject.Inject;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.lb.balancer.BackendPool;
import io.lb.config.BackendSpecParser;
import io.lb.testing.Behaviours;
import io.lb.testing.Pools;
import io.lb.testing.TestBackend;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/** Real traffic is spread by active connections: busy backends are avoided, idle ties are shared, weights count. */
@QuarkusTest
class LeastConnectionsRoutingTest {

    static TestBackend a;
    static TestBackend b;
    static TestBackend c;
    final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @TestHTTPResource("/")
    URI proxy;

    @Inject
    BackendPool pool;

    @BeforeAll
    static void startBackends() {
        a = TestBackend.start("a");
        b = TestBackend.start("b");
        c = TestBackend.start("c");
    }

    @AfterAll
    static void stopBackends() {
        a.close();
        b.close();
        c.close();
    }

    @BeforeEach
    void resetBackends() {
        a.reset();
        b.reset();
        c.reset();
    }

    @AfterEach
    void countsBackToZero() {
        Pools.awaitAllIdle(pool);
    }

    @Test
    void newRequestsAvoidTheBackendThatIsHoldingSlowRequests() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        a.behave(Behaviours.holdUntil(gate, "a"));
        Pools.use(pool, a);
        List<CompletableFuture<HttpResponse<String>>> held = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            held.add(client.sendAsync(get("/slow"), BodyHandlers.ofString()));
        }
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> a.inFlight() == 4);
        assertEquals(4, Pools.backendOf(pool, a).activeConnections());

        pool.add(BackendSpecParser.parse(b.url()));
        pool.add(BackendSpecParser.parse(c.url()));
        Map<String, Integer> answers = sequentialAnswers(30);
        assertEquals(null, answers.get("a"), "a busy backend must get no new request: " + answers);
        assertEquals(30, answers.getOrDefault("b", 0) + answers.getOrDefault("c", 0));

        gate.countDown();
        for (var response : held) {
            assertEquals("a", response.get().body());
        }
    }

    @Test
    void idleBackendsShareTheTraffic() throws Exception {
        Pools.use(pool, a, b, c);
        Map<String, Integer> answers = sequentialAnswers(90);
        for (String name : List.of("a", "b", "c")) {
            assertTrue(answers.getOrDefault(name, 0) >= 12, "ties must be spread, got " + answers);
        }
    }

    @Test
    void weightsShareConcurrentRequestsInProportion() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        a.behave(Behaviours.holdUntil(gate, "a"));
        b.behave(Behaviours.holdUntil(gate, "b"));
        Pools.use(pool);
        Pools.useWeighted(pool, a, 3);
        Pools.useWeighted(pool, b, 1);
        List<CompletableFuture<HttpResponse<String>>> held = new ArrayList<>();
        for (int i = 1; i <= 8; i++) {
            held.add(client.sendAsync(get("/w"), BodyHandlers.ofString()));
            int expected = i;
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> a.inFlight() + b.inFlight() == expected);
        }
        int onA = a.inFlight();
        assertTrue(onA >= 5 && onA <= 7, "weight 3 vs 1 over 8 concurrent requests, a got " + onA);
        gate.countDown();
        for (var response : held) {
            assertEquals(200, response.get().statusCode());
        }
    }

    private Map<String, Integer> sequentialAnswers(int count) throws Exception {
        Map<String, Integer> answers = new HashMap<>();
        for (int i = 0; i < count; i++) {
            HttpResponse<String> response = client.send(get("/n"), BodyHandlers.ofString());
            assertEquals(200, response.statusCode());
            answers.merge(response.body(), 1, Integer::sum);
        }
        return answers;
    }

    private HttpRequest get(String path) {
        return HttpRequest.newBuilder(proxy.resolve(path)).timeout(Duration.ofSeconds(20)).build();
    }
}

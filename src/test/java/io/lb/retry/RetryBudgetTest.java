package io.lb.retry;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.lb.balancer.BackendPool;
import io.lb.config.BackendSpecParser;
import io.lb.testing.Behaviours;
import io.lb.testing.Metrics;
import io.lb.testing.Pools;
import io.lb.testing.TestBackend;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * When the retry budget is spent, a try that timed out is answered with its error instead of adding load to
 * backends that are already slow; failing over from a backend that is gone is never rationed.
 */
@QuarkusTest
@TestProfile(RetryBudgetTest.NoRetryBudget.class)
class RetryBudgetTest {

    public static class NoRetryBudget implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("lb.retry.budget.ratio", "0", "lb.retry.budget.min-concurrent", "0",
                    "lb.timeout.response", "300ms");
        }
    }

    TestBackend failing;
    TestBackend healthy;

    @TestHTTPResource("/")
    URI proxy;

    @TestHTTPResource(value = "/", management = true)
    URI management;

    @Inject
    BackendPool pool;

    @BeforeEach
    void startBackends() {
        failing = TestBackend.start("failing").behave(Behaviours.hang());
        healthy = TestBackend.start("healthy");
        Pools.use(pool);
        pool.add(BackendSpecParser.parse(failing.url() + ";weight=10"));
        pool.add(BackendSpecParser.parse(healthy.url()));
    }

    @AfterEach
    void countsBackToZero() {
        Pools.awaitAllIdle(pool);
        failing.close();
        healthy.close();
    }

    @Test
    void exhaustedBudgetMeansNoRetryAfterATimeout() throws Exception {
        double before = Metrics.value(management, "lb_retries_abandoned_total", "reason=\"budget_exhausted\"");
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(proxy.resolve("/x")).build(), BodyHandlers.ofString());
        assertEquals(504, response.statusCode());
        assertEquals(0, healthy.requestCount());
        assertEquals(before + 1,
                Metrics.value(management, "lb_retries_abandoned_total", "reason=\"budget_exhausted\""));
    }

    @Test
    void failingOverFromABackendThatIsGoneIsNeverRationed() throws Exception {
        // a dead backend is not an overloaded one: its connection failures are retried whatever the budget
        failing.behave(Behaviours.closeAfterRequest());
        HttpResponse<String> closed = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(proxy.resolve("/closed")).build(), BodyHandlers.ofString());
        assertEquals(200, closed.statusCode());
        failing.stop();
        HttpResponse<String> refused = HttpClient.newHttpClient().send(HttpRequest.newBuilder(proxy.resolve("/refused"))
                .POST(HttpRequest.BodyPublishers.ofString("x")).build(), BodyHandlers.ofString());
        assertEquals(200, refused.statusCode());
        assertEquals(2, healthy.requestCount());
    }
}

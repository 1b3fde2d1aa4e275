package io.lb.health;

import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.inject.Inject;

import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import io.lb.balancer.Backend;
import io.lb.balancer.BackendPool;
import io.lb.config.BackendSpecParser;
import io.lb.testing.TestBackend;
import io.quarkus.test.common.http.TestHTTPResource;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;

/** Shared set-up of the health tests: an empty pool before each test, real backends, clock-free waiting. */
abstract class HealthTestSupport {

    @Inject
    BackendPool pool;

    @TestHTTPResource("/")
    URI traffic;

    @TestHTTPResource(value = "/", management = true)
    URI management;

    private final List<TestBackend> started = new ArrayList<>();

    @BeforeEach
    void emptyPool() {
        pool.all().forEach(backend -> pool.remove(backend.id()));
    }

    @AfterEach
    void stopBackends() {
        pool.all().forEach(backend -> pool.remove(backend.id()));
        started.forEach(TestBackend::stop);
        started.clear();
    }

    /** Starts a real backend and adds it to the balancer's pool. */
    TestBackend backend(String name) {
        TestBackend backend = TestBackend.start(name);
        started.add(backend);
        pool.add(BackendSpecParser.parse(backend.url()));
        return backend;
    }

    /** The balancer's view of a test backend. */
    Backend lb(TestBackend backend) {
        return pool.find(backend.url()).orElseThrow();
    }

    /** Generous bounds: the machine is small and shared; polling is fast so passing tests stay quick. */
    static ConditionFactory eventually() {
        return await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(25)).pollDelay(Duration.ZERO);
    }

    Response get(String path) {
        return RestAssured.given().redirects().follow(false).get(traffic.resolve(path));
    }

    Response management(String path) {
        return RestAssured.given().get(management.resolve(path));
    }

    /** One Prometheus sample of {@code name} whose labels include every {@code label="value"} given, or 0. */
    double metric(String name, String... labels) {
        String body = management("/q/metrics").asString();
        Pattern sample = Pattern.compile("^" + Pattern.quote(name) + "\\{([^}]*)\\} (\\S+)$", Pattern.MULTILINE);
        Matcher matcher = sample.matcher(body);
        while (matcher.find()) {
            String found = matcher.group(1);
            boolean all = true;
            for (String label : labels) {
                all &= found.contains(label);
            }
            if (all) {
                return Double.parseDouble(matcher.group(2));
            }
        }
        return 0;
    }

    /** Probes from the balancer get {@code probe}; everything else gets {@code traffic}. */
    static Handler<HttpServerRequest> probesAndTraffic(Handler<HttpServerRequest> probe,
            Handler<HttpServerRequest> traffic) {
        return request -> (ActiveHealthCheck.USER_AGENT.equals(request.getHeader("User-Agent")) ? probe : traffic)
                .handle(request);
    }

    static boolean isProbe(TestBackend.ReceivedRequest request) {
        return ActiveHealthCheck.USER_AGENT.equals(request.headers().get("User-Agent"));
    }
}

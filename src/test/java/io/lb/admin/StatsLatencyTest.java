package io.lb.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.lb.balancer.Backend;
import io.lb.config.BackendSpecParser;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import io.vertx.core.json.JsonObject;

/**
 * The dashboard's latency comes from the {@code lb.request.duration} timers of a backend (one per route), added up:
 * count, total time and the cumulative histogram buckets the page turns into percentiles.
 */
class StatsLatencyTest {

    private static final String URL = "http://127.0.0.1:8081";
    private static final Backend BACKEND = new Backend(BackendSpecParser.parse(URL).inPool("default"));

    @Test
    void noTimerNoLatency() {
        assertNull(DashboardRoutes.latency(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), BACKEND));
    }

    @Test
    void countTotalAndCumulativeBucketsOfEveryRouteOfTheBackend() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        timer(registry, "a", URL).record(Duration.ofMillis(3));
        timer(registry, "a", URL).record(Duration.ofMillis(30));
        timer(registry, "b", URL).record(Duration.ofMillis(8));
        timer(registry, "a", "http://127.0.0.1:8082").record(Duration.ofSeconds(5));

        JsonObject latency = DashboardRoutes.latency(registry, BACKEND);
        assertEquals(3L, latency.getLong("count"));
        assertEquals(0.041, latency.getDouble("totalSeconds"), 1e-6);
        assertEquals(0.041 / 3, latency.getDouble("meanSeconds"), 1e-6);
        assertEquals(List.of(0.005, 0.01, 0.05, 1.0), latency.getJsonArray("bucketBounds").getList());
        // at or below 5 ms: 1; 10 ms: 2; 50 ms and beyond: 3
        assertEquals(List.of(1L, 2L, 3L, 3L), latency.getJsonArray("buckets").getList());
    }

    private static Timer timer(PrometheusMeterRegistry registry, String route, String backend) {
        return Timer.builder("lb.request.duration").tag("pool", "default").tag("route", route).tag("backend", backend)
                .serviceLevelObjectives(Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(50),
                        Duration.ofSeconds(1))
                .register(registry);
    }
}

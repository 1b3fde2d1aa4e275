package io.lb.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import io.lb.balancer.Backend;
import io.lb.config.BackendSpecParser;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.json.JsonObject;

/** The dashboard's latency comes from the {@code lb.request.duration} timer, when there is one. */
class StatsLatencyTest {

    private static final String URL = "http://127.0.0.1:8081";
    private static final Backend BACKEND = new Backend(BackendSpecParser.parse(URL).inPool("default"));

    @Test
    void noTimerNoLatency() {
        assertNull(DashboardRoutes.latency(new SimpleMeterRegistry(), BACKEND));
    }

    @Test
    void meanFromTheTimerAndP50WhenPublished() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        Timer timer = Timer.builder("lb.request.duration").tag("pool", "default").tag("backend", URL).publishPercentiles(0.5)
                .register(registry);
        timer.record(Duration.ofMillis(10));
        timer.record(Duration.ofMillis(30));
        Timer.builder("lb.request.duration").tag("pool", "default").tag("backend", "http://127.0.0.1:8082").register(registry)
                .record(Duration.ofSeconds(5));

        JsonObject latency = DashboardRoutes.latency(registry, BACKEND);
        assertEquals(2L, latency.getLong("count"));
        assertEquals(0.040, latency.getDouble("totalSeconds"), 1e-6);
        assertEquals(0.020, latency.getDouble("meanSeconds"), 1e-6);
        assertNotNull(latency.getDouble("p50Seconds"));
    }

    @Test
    void noPercentilesPublishedNoP50() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        Timer.builder("lb.request.duration").tag("pool", "default").tag("backend", URL).register(registry).record(Duration.ofMillis(4));
        JsonObject latency = DashboardRoutes.latency(registry, BACKEND);
        assertEquals(0.004, latency.getDouble("meanSeconds"), 1e-6);
        assertNull(latency.getValue("p50Seconds"));
    }
}

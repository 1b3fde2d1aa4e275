package io.lb.health;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/** Health checks on a test time scale: probes every second, two in a row to change a backend's state. */
public class FastChecksProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.ofEntries(
                Map.entry("lb.health.interval", "1s"),
                Map.entry("lb.health.down-interval", "1s"),
                Map.entry("lb.health.timeout", "300ms"),
                Map.entry("lb.health.path", "/healthz"),
                Map.entry("lb.health.fall", "2"),
                Map.entry("lb.health.rise", "2"),
                Map.entry("lb.outlier.consecutive-errors", "3"),
                Map.entry("lb.outlier.base-ejection-time", "4s"),
                Map.entry("lb.outlier.max-ejection-time", "20s"),
                Map.entry("lb.outlier.max-ejection-percent", "50"),
                Map.entry("lb.slow-start.window", "0s"));
    }
}

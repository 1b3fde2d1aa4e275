package io.lb.health;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/**
 * UP backends are probed only every minute (no regular probe happens during a test), DOWN ones every second:
 * whatever takes a backend down here is passive detection, and whatever brings it back is the fast re-probe.
 */
public class LongIntervalProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.ofEntries(
                Map.entry("lb.health.interval", "60s"),
                Map.entry("lb.health.down-interval", "1s"),
                Map.entry("lb.health.timeout", "500ms"),
                Map.entry("lb.health.fall", "2"),
                Map.entry("lb.health.rise", "2"),
                Map.entry("lb.slow-start.window", "6s"));
    }
}

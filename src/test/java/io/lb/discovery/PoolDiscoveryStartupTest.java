package io.lb.discovery;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.junit.main.Launch;
import io.quarkus.test.junit.main.LaunchResult;
import io.quarkus.test.junit.main.QuarkusMainTest;

/**
 * The real application refuses to start when a pool's Kubernetes discovery lacks its Service, and names the key
 * (the other errors are checked where the startup check reads them, in {@link DiscoveryModeTest}).
 */
@QuarkusMainTest
@TestProfile(PoolDiscoveryStartupTest.WithoutService.class)
class PoolDiscoveryStartupTest {

    public static class WithoutService implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "lb.backends", "http://127.0.0.1:1",
                    "lb.pools.api.discovery", "kubernetes",
                    "lb.pools.api.discovery.kubernetes.namespace", "shop",
                    "lb.routes.api.pool", "api",
                    "lb.routes.api.path-prefix", "/api");
        }
    }

    @Test
    @Launch(value = {}, exitCode = 1)
    void startupFailsNamingTheMissingKey(LaunchResult result) {
        String output = result.getOutput() + result.getErrorOutput();
        assertTrue(output.contains("lb.pools.api.discovery.kubernetes.service is missing: "
                + "lb.pools.api.discovery=kubernetes needs the name of the Service"), output);
    }
}

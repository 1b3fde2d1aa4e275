package io.lb.discovery;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.junit.main.Launch;
import io.quarkus.test.junit.main.LaunchResult;
import io.quarkus.test.junit.main.QuarkusMainTest;

/** The real application refuses an unknown discovery mode of a pool without backends, naming key and value. */
@QuarkusMainTest
@TestProfile(UnknownPoolDiscoveryStartupTest.UnknownMode.class)
class UnknownPoolDiscoveryStartupTest {

    public static class UnknownMode implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "lb.backends", "http://127.0.0.1:1",
                    "lb.pools.api.discovery", "dns",
                    "lb.routes.api.pool", "api",
                    "lb.routes.api.path-prefix", "/api");
        }
    }

    @Test
    @Launch(value = {}, exitCode = 1)
    void startupFailsNamingTheKeyAndTheValue(LaunchResult result) {
        String output = result.getOutput() + result.getErrorOutput();
        assertTrue(output.contains("lb.pools.api.discovery: invalid value 'dns': use 'static' (lb.pools.api.backends)"
                + " or 'kubernetes' (EndpointSlices)"), output);
    }
}

package io.lb.config;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.junit.main.Launch;
import io.quarkus.test.junit.main.LaunchResult;
import io.quarkus.test.junit.main.QuarkusMainTest;

/** The real application refuses to start on a bad backend list, and says which key and value. */
@QuarkusMainTest
@TestProfile(InvalidBackendsStartupTest.BadBackends.class)
class InvalidBackendsStartupTest {

    public static class BadBackends implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("lb.backends", "http://ok:8080,ftp://files:21");
        }
    }

    @Test
    @Launch(value = {}, exitCode = 1)
    void startupFailsNamingTheKeyAndTheValue(LaunchResult result) {
        String output = result.getOutput() + result.getErrorOutput();
        assertTrue(output.contains("lb.backends: invalid value 'ftp://files:21': unsupported scheme 'ftp'"), output);
    }
}

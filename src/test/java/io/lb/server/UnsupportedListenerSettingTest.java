package io.lb.server;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.junit.main.Launch;
import io.quarkus.test.junit.main.LaunchResult;
import io.quarkus.test.junit.main.QuarkusMainTest;

/** A quarkus.http.* setting that only Quarkus' own listener honours fails startup, naming the key and the value. */
@QuarkusMainTest
@TestProfile(UnsupportedListenerSettingTest.DomainSocket.class)
class UnsupportedListenerSettingTest {

    public static class DomainSocket implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.http.domain-socket-enabled", "true");
        }
    }

    @Test
    @Launch(value = {}, exitCode = 1)
    void startupFailsNamingTheKeyTheValueAndTheWayOut(LaunchResult result) {
        String output = result.getOutput() + result.getErrorOutput();
        assertTrue(output.contains("quarkus.http.domain-socket-enabled: invalid value 'true'"), output);
        assertTrue(output.contains("set quarkus.http.host-enabled=true"), output);
    }
}

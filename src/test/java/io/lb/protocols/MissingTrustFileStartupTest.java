package io.lb.protocols;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.junit.main.Launch;
import io.quarkus.test.junit.main.LaunchResult;
import io.quarkus.test.junit.main.QuarkusMainTest;

/** A backend trust file that is not there fails the deployment, not the first https request. */
@QuarkusMainTest
@TestProfile(MissingTrustFileStartupTest.MissingFile.class)
class MissingTrustFileStartupTest {

    public static class MissingFile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("lb.client.tls.trust-certificate-files", "/nonexistent/ca.pem");
        }
    }

    @Test
    @Launch(value = {}, exitCode = 1)
    void startupFailsNamingTheKeyAndTheFile(LaunchResult result) {
        String output = result.getOutput() + result.getErrorOutput();
        assertTrue(output.contains("lb.client.tls.trust-certificate-files: invalid value '/nonexistent/ca.pem'"),
                output);
    }
}

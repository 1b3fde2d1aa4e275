package io.lb.retry;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/** Short timeouts so that hung backends cost the tests fractions of a second. */
public class RetryTestProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "lb.timeout.response", "400ms",
                "lb.timeout.overall", "5s",
                "lb.retry.max-attempts", "3",
                "lb.retry.body-buffer-size", "64K");
    }
}

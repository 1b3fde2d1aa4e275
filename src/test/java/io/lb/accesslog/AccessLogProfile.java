package io.lb.accesslog;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/** The JSON access log on, with a tiny queue so that a stalled log handler fills it at once. */
public class AccessLogProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "lb.access-log.enabled", "true",
                "lb.access-log.format", "json",
                "quarkus.log.handler.console.\"access\".async.queue-length", "8",
                "lb.retry.max-attempts", "2");
    }
}

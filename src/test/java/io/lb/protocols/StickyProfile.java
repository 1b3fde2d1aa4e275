package io.lb.protocols;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

public class StickyProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("lb.sticky.enabled", "true");
    }
}

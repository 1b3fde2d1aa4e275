package io.lb.admin;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/** The admin API with a token configured, so that changes are allowed. */
public class TokenProfile implements QuarkusTestProfile {

    static final String TOKEN = "s3cret-admin-token";

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("lb.admin.token", TOKEN);
    }
}

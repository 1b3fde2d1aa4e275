package io.lb.protocols;

import java.util.Map;

import io.lb.testing.TestCertificates;
import io.quarkus.test.junit.QuarkusTestProfile;

/** HTTP/2 towards backends, and backend trust from a named configuration of the Quarkus TLS registry. */
public class BackendClientOptionsProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "lb.client.protocol", "h2c",
                "lb.client.tls.configuration-name", "backends",
                "quarkus.tls.backends.trust-store.pem.certs", TestCertificates.get().certificate().toString());
    }
}

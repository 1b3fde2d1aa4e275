package io.lb.protocols;

import java.util.Map;

import io.lb.testing.TestCertificates;
import io.quarkus.test.junit.QuarkusTestProfile;

/** TLS on the traffic port (the Quarkus keys) and a backend trust store (the balancer's key). */
public class TlsTestProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        TestCertificates certificates = TestCertificates.get();
        return Map.of(
                "quarkus.http.ssl.certificate.files", certificates.certificate().toString(),
                "quarkus.http.ssl.certificate.key-files", certificates.key().toString(),
                "quarkus.http.test-ssl-port", "0",
                "quarkus.http.insecure-requests", "enabled",
                "lb.client.tls.trust-certificate-files",
                certificates.certificate() + "," + certificates.wrongNameCertificate());
    }
}

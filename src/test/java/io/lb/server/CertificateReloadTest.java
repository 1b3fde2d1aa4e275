package io.lb.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.util.Map;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.lb.testing.TestCertificates;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.tls.CertificateUpdatedEvent;
import io.quarkus.tls.TlsConfiguration;
import io.quarkus.tls.TlsConfigurationRegistry;

/**
 * A certificate of the TLS registry replaced on disk and reloaded (what quarkus.tls.reload-period does on its own)
 * is served by the balancer's TLS listener from the next connection on, without a restart.
 */
@QuarkusTest
@TestProfile(CertificateReloadTest.ReloadableCertificate.class)
class CertificateReloadTest {

    static final Path DIR = createDirectory();
    static final Path CERT = DIR.resolve("cert.pem");
    static final Path KEY = DIR.resolve("key.pem");

    public static class ReloadableCertificate implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            install(TestCertificates.get().certificate(), TestCertificates.get().key());
            return Map.of(
                    "quarkus.tls.key-store.pem.main.cert", CERT.toString(),
                    "quarkus.tls.key-store.pem.main.key", KEY.toString(),
                    "quarkus.http.test-ssl-port", "0");
        }
    }

    @TestHTTPResource(value = "/", tls = true)
    URI httpsProxy;

    @Inject
    TlsConfigurationRegistry registry;

    @Inject
    Event<CertificateUpdatedEvent> updates;

    @Test
    void aReloadedCertificateIsServedOnTheNextConnection() throws Exception {
        assertEquals("CN=localhost", servedSubject());

        install(TestCertificates.get().otherCertificate(), TestCertificates.get().otherKey());
        TlsConfiguration tls = registry.getDefault().orElseThrow();
        assertTrue(tls.reload(), "the registry read the new files");
        updates.fire(new CertificateUpdatedEvent("<default>", tls));

        assertEquals("CN=other", servedSubject());
    }

    private String servedSubject() throws Exception {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, new TrustManager[] { new TrustEverything() }, null);
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(httpsProxy.getHost(),
                httpsProxy.getPort())) {
            socket.setSoTimeout(10_000);
            socket.startHandshake();
            X509Certificate served = (X509Certificate) socket.getSession().getPeerCertificates()[0];
            return served.getSubjectX500Principal().getName();
        }
    }

    private static void install(Path certificate, Path key) {
        try {
            Files.copy(certificate, CERT, StandardCopyOption.REPLACE_EXISTING);
            Files.copy(key, KEY, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path createDirectory() {
        try {
            Path dir = Files.createTempDirectory("lb-reload-certs");
            dir.toFile().deleteOnExit();
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The test only asks which certificate is served, so it accepts any. */
    private static final class TrustEverything implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}

package io.lb.protocols;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.lb.balancer.BackendPool;
import io.lb.testing.Pools;
import io.lb.testing.TestBackend;
import io.lb.testing.TestCertificates;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * The traffic port's TLS runs on OpenSSL (BoringSSL) and resumes sessions: a client that comes back with the
 * session (ticket) of its first connection gets an abbreviated handshake, in TLS 1.3 and in TLS 1.2. Which engine
 * serves is told apart by a cipher suite that the JDK engine offers and BoringSSL does not have.
 */
@QuarkusTest
@TestProfile(TlsTestProfile.class)
class TlsEngineTest {

    /** In the JDK's default TLS 1.2 suites, not in BoringSSL (which dropped the SHA-256 CBC suites). */
    private static final String JDK_ONLY_SUITE = "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256";

    static TestBackend backend;

    @TestHTTPResource(value = "/", tls = true)
    URI httpsProxy;

    @Inject
    BackendPool pool;

    @BeforeAll
    static void start() {
        backend = TestBackend.start("behind-tls");
    }

    @AfterAll
    static void stop() {
        backend.close();
    }

    @AfterEach
    void countsBackToZero() {
        Pools.awaitAllIdle(pool);
    }

    @Test
    void aTls13ClientResumesItsSessionOnANewConnection() throws Exception {
        assertSessionResumed("TLSv1.3");
    }

    @Test
    void aTls12ClientResumesItsSessionOnANewConnection() throws Exception {
        assertSessionResumed("TLSv1.2");
    }

    @Test
    void theTrafficPortNegotiatesWithOpenSslNotTheJdkEngine() throws Exception {
        SSLContext client = TestCertificates.get().trustingContext();
        // control: the JDK's engine, with the same certificate, agrees on that suite
        try (SSLServerSocket jdk = (SSLServerSocket) TestCertificates.get().serverContext().getServerSocketFactory()
                .createServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Void> served = CompletableFuture.runAsync(() -> {
                try (SSLSocket accepted = (SSLSocket) jdk.accept()) {
                    accepted.startHandshake();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            try (SSLSocket socket = socket(client, jdk.getLocalPort(), "TLSv1.2")) {
                socket.setEnabledCipherSuites(new String[] { JDK_ONLY_SUITE });
                socket.startHandshake();
                assertEquals(JDK_ONLY_SUITE, socket.getSession().getCipherSuite());
            }
            served.get(20, TimeUnit.SECONDS);
        }
        try (SSLSocket socket = socket(client, httpsProxy.getPort(), "TLSv1.2")) {
            socket.setEnabledCipherSuites(new String[] { JDK_ONLY_SUITE });
            assertThrows(SSLHandshakeException.class, socket::startHandshake);
        }
    }

    private void assertSessionResumed(String protocol) throws Exception {
        Pools.use(pool, backend);
        SSLContext client = TestCertificates.get().trustingContext();
        SSLSession first = exchange(client, protocol);
        SSLSession second = exchange(client, protocol);
        assertEquals(protocol, second.getProtocol());
        // a full handshake makes a new session; a resumed one is the first's, made when that was
        assertEquals(first.getCreationTime(), second.getCreationTime(), "the second connection resumed the first's session");
    }

    /** One request on a new connection; the session it was served in. */
    private SSLSession exchange(SSLContext client, String protocol) throws IOException {
        try (SSLSocket socket = socket(client, httpsProxy.getPort(), protocol)) {
            OutputStream out = socket.getOutputStream();
            out.write("GET /resume HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            String response = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
            assertTrue(response.startsWith("HTTP/1.1 200"), response);
            return socket.getSession();
        }
    }

    private static SSLSocket socket(SSLContext client, int port, String protocol) throws IOException {
        SSLSocket socket = (SSLSocket) client.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(), port);
        socket.setEnabledProtocols(new String[] { protocol });
        socket.setSoTimeout(20_000);
        return socket;
    }
}

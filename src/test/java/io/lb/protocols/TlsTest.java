package io.lb.protocols;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.lb.balancer.Backend;
import io.lb.balancer.BackendPool;
import io.lb.config.BackendSpecParser;
import io.lb.testing.HttpsBackend;
import io.lb.testing.Pools;
import io.lb.testing.TestBackend;
import io.lb.testing.TestCertificates;
import io.lb.testing.WebSocketBackend;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.net.PemTrustOptions;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.lb.balancer.BackendState;
import io.lb.health.ActiveHealthCheck;

/** TLS at both ends: terminated on the traffic port (HTTP/2 by ALPN), and verified towards https backends. */
@QuarkusTest
@TestProfile(TlsTestProfile.class)
class TlsTest {

    static TestBackend plain;
    static HttpsBackend secure;

    @TestHTTPResource(value = "/", tls = true)
    URI httpsProxy;

    @TestHTTPResource("/")
    URI httpProxy;

    @Inject
    BackendPool pool;

    final HttpClient trustingClient = HttpClient.newBuilder()
            .sslContext(TestCertificates.get().trustingContext())
            .version(HttpClient.Version.HTTP_2)
            .connectTimeout(Duration.ofSeconds(20))
            .build();

    @BeforeAll
    static void start() {
        plain = TestBackend.start("plain");
        secure = HttpsBackend.start("secure");
    }

    @AfterAll
    static void stop() {
        plain.close();
        secure.close();
    }

    @AfterEach
    void countsBackToZero() {
        Pools.awaitAllIdle(pool);
    }

    @Test
    void tlsIsTerminatedOnTheTrafficPortWithHttp2NegotiatedByAlpn() throws Exception {
        Pools.use(pool, plain);
        HttpResponse<String> response = trustingClient.send(HttpRequest.newBuilder(
                URI.create("https://localhost:" + httpsProxy.getPort() + "/secure/path")).build(),
                BodyHandlers.ofString());
        assertEquals(200, response.statusCode());
        assertEquals(HttpClient.Version.HTTP_2, response.version());
        assertEquals("plain", response.body());
        assertEquals("https", plain.lastRequest().headers().get("X-Forwarded-Proto"));
        assertEquals("HTTP_1_1", plain.lastRequest().version());
        assertEquals("/secure/path", plain.lastRequest().uri());
    }

    @Test
    void plainRequestsAreStillServedWhenInsecureRequestsAreEnabled() throws Exception {
        Pools.use(pool, plain);
        HttpResponse<String> response = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()
                .send(HttpRequest.newBuilder(httpProxy.resolve("/plain")).build(), BodyHandlers.ofString());
        assertEquals(200, response.statusCode());
        assertEquals("http", plain.lastRequest().headers().get("X-Forwarded-Proto"));
    }

    @Test
    void aTrustedCertificateForAnotherHostNameIsRefused() throws Exception {
        try (HttpsBackend wrongName = HttpsBackend.start("wrong-name", TestCertificates.get().wrongNameCertificate(),
                TestCertificates.get().wrongNameKey())) {
            use(wrongName.url("127.0.0.1"));
            HttpResponse<String> response = trustingClient.send(HttpRequest.newBuilder(
                    URI.create("https://localhost:" + httpsProxy.getPort() + "/to-tls")).POST(
                            HttpRequest.BodyPublishers.ofString("x")).build(),
                    BodyHandlers.ofString());
            assertEquals(502, response.statusCode(), response.body());
            assertTrue(wrongName.received().isEmpty(), "nothing reached a backend whose name did not verify");
        }
    }

    @Test
    void aBackendWhoseCertificateIsTrustedByConfigurationIsReachedOverTls() throws Exception {
        for (String host : new String[] { "127.0.0.1", "localhost" }) {
            use(secure.url(host));
            HttpResponse<String> response = trustingClient.send(HttpRequest.newBuilder(
                    URI.create("https://localhost:" + httpsProxy.getPort() + "/to-tls")).build(),
                    BodyHandlers.ofString());
            assertEquals(200, response.statusCode(), host);
            assertEquals("secure", response.body());
            assertEquals("https", secure.received().get(secure.received().size() - 1).get("X-Forwarded-Proto"));
            // active checks trust what traffic trusts: the probe over TLS succeeds
            healthCheck.probeAllNow().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
            Backend probed = pool.all().get(0);
            assertEquals(BackendState.UP, probed.state(), host);
            assertTrue(probed.lastCheck().healthy(), host + ": " + probed.lastCheck());
        }
    }

    @Test
    void secureWebSocketsAreTerminatedAndTunnelledToAPlainBackend() throws Exception {
        try (WebSocketBackend echo = WebSocketBackend.start()) {
            use(echo.url());
            WebSocketClient wss = TestBackend.vertx().createWebSocketClient(new WebSocketClientOptions()
                    .setSsl(true)
                    .setTrustOptions(new PemTrustOptions().addCertPath(TestCertificates.get().certificate().toString())));
            try {
                WebSocket socket = wss.connect(httpsProxy.getPort(), "localhost", "/wss").toCompletionStage()
                        .toCompletableFuture().get(20, TimeUnit.SECONDS);
                CompletableFuture<String> answer = new CompletableFuture<>();
                socket.textMessageHandler(answer::complete);
                socket.writeTextMessage("over tls");
                assertEquals("over tls", answer.get(20, TimeUnit.SECONDS));
                socket.close();
            } finally {
                wss.close();
            }
        }
    }

    @Inject
    ActiveHealthCheck healthCheck;

    private void use(String url) {
        for (Backend existing : pool.all()) {
            pool.remove(existing.id());
        }
        pool.add(BackendSpecParser.parse(url));
    }
}

package io.lb.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.lb.balancer.BackendPool;
import io.lb.protocols.TlsTestProfile;
import io.lb.testing.Behaviours;
import io.lb.testing.Pools;
import io.lb.testing.TestBackend;
import io.lb.testing.TestCertificates;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** quarkus.http.insecure-requests=redirect: the plain listener sends clients to the TLS one, which proxies. */
@QuarkusTest
@TestProfile(HttpsRedirectTest.Redirect.class)
class HttpsRedirectTest {

    public static class Redirect extends TlsTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> overrides = new HashMap<>(super.getConfigOverrides());
            overrides.put("quarkus.http.insecure-requests", "redirect");
            return overrides;
        }
    }

    @TestHTTPResource("/")
    URI httpProxy;

    @TestHTTPResource(value = "/", tls = true)
    URI httpsProxy;

    @Inject
    BackendPool pool;

    @AfterEach
    void countsBackToZero() {
        Pools.awaitAllIdle(pool);
    }

    @Test
    void plainRequestsAreRedirectedToTheTlsListener() throws Exception {
        try (TestBackend backend = TestBackend.start("secure-only")) {
            backend.behave(Behaviours.answerWithName("secure-only"));
            Pools.use(pool, backend);
            HttpResponse<String> plain = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(httpProxy.resolve("/page?x=1")).build(), BodyHandlers.ofString());
            assertEquals(301, plain.statusCode());
            String location = plain.headers().firstValue("Location").orElseThrow();
            assertEquals("https://" + httpProxy.getHost() + ":" + httpsProxy.getPort() + "/page?x=1", location);
            assertTrue(backend.received().stream().allMatch(TestBackend.ReceivedRequest::isHealthProbe));

            HttpClient trusting = HttpClient.newBuilder().sslContext(TestCertificates.get().trustingContext())
                    .connectTimeout(Duration.ofSeconds(10)).build();
            HttpResponse<String> secure = trusting.send(HttpRequest.newBuilder(URI.create(location)).build(),
                    BodyHandlers.ofString());
            assertEquals(200, secure.statusCode());
            assertEquals("secure-only", secure.body());
        }
    }
}

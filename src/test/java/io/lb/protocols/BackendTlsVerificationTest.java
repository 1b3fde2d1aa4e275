package io.lb.protocols;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;

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
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/** With no TLS configuration, backends' certificates are verified against the JDK's trust store. */
@QuarkusTest
class BackendTlsVerificationTest {

    static HttpsBackend selfSigned;

    @TestHTTPResource("/")
    URI proxy;

    @Inject
    BackendPool pool;

    @BeforeAll
    static void start() {
        selfSigned = HttpsBackend.start("self-signed");
    }

    @AfterAll
    static void stop() {
        selfSigned.close();
    }

    @AfterEach
    void countsBackToZero() {
        Pools.awaitAllIdle(pool);
    }

    @Test
    void aBackendWithAnUntrustedCertificateGetsNoTrafficAndTheClientA502() throws Exception {
        for (Backend existing : pool.all()) {
            pool.remove(existing.id());
        }
        pool.add(BackendSpecParser.parse(selfSigned.url("localhost")));
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(proxy.resolve("/untrusted")).build(), BodyHandlers.ofString());
        assertEquals(502, response.statusCode());
        assertTrue(response.body().startsWith("502 Bad Gateway"), response.body());
        assertTrue(selfSigned.received().isEmpty(), "no request reached the backend over an unverified connection");
    }
}

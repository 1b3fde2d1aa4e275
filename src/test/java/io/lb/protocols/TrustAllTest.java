package io.lb.protocols;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
import io.lb.testing.OptionalFeaturesProfile;
import io.lb.testing.Pools;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** lb.client.tls.trust-all=true: the insecure switch does what it says: no certificate verification. */
@QuarkusTest
@TestProfile(OptionalFeaturesProfile.class)
class TrustAllTest {

    static HttpsBackend selfSigned;

    @TestHTTPResource("/")
    URI proxy;

    @Inject
    BackendPool pool;

    @BeforeAll
    static void start() {
        selfSigned = HttpsBackend.start("anything-goes");
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
    void anUntrustedBackendCertificateIsAcceptedWhenTrustAllIsOn() throws Exception {
        for (Backend existing : pool.all()) {
            pool.remove(existing.id());
        }
        // self-signed and in no trust store: only trust-all lets this through
        pool.add(BackendSpecParser.parse(selfSigned.url("localhost")));
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(proxy.resolve("/insecure")).build(), BodyHandlers.ofString());
        assertEquals(200, response.statusCode());
        assertEquals("anything-goes", response.body());
    }
}

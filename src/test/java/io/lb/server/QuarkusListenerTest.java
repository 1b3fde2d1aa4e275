package io.lb.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.lb.balancer.BackendPool;
import io.lb.testing.Behaviours;
import io.lb.testing.Pools;
import io.lb.testing.RawHttp;
import io.lb.testing.TestBackend;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * With quarkus.http.host-enabled=true (dev mode's setting) Quarkus' own listener serves the traffic port through
 * the catch-all route, and the balancer's listener stays off: the same proxy answers either way.
 */
@QuarkusTest
@TestProfile(QuarkusListenerTest.QuarkusServesThePort.class)
class QuarkusListenerTest {

    public static class QuarkusServesThePort implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.http.host-enabled", "true", "quarkus.http.limits.max-body-size", "1K");
        }
    }

    @TestHTTPResource("/")
    URI proxy;

    @Inject
    BackendPool pool;

    @AfterEach
    void countsBackToZero() {
        Pools.awaitAllIdle(pool);
    }

    @Test
    void everyPathAndMethodIsProxiedThroughTheCatchAllRoute() throws Exception {
        try (TestBackend backend = TestBackend.start("through-quarkus")) {
            backend.behave(Behaviours.echo());
            Pools.use(pool, backend);
            HttpClient client = HttpClient.newHttpClient();
            HttpResponse<String> put = client.send(HttpRequest.newBuilder(proxy.resolve("/any/path?q=1"))
                    .PUT(HttpRequest.BodyPublishers.ofString("payload")).build(), BodyHandlers.ofString());
            assertEquals(200, put.statusCode(), put.body());
            assertEquals("payload", put.body());
            assertEquals("PUT", put.headers().firstValue("X-Echo-Method").orElseThrow());
            assertEquals("/any/path?q=1", put.headers().firstValue("X-Echo-Uri").orElseThrow());
        }
    }

    @Test
    void connectIsRefusedAndAnOversizedBodyStillGets413() throws Exception {
        try (RawHttp raw = RawHttp.connect(proxy)) {
            String answer = raw.send("CONNECT /x HTTP/1.1\r\nHost: t\r\n\r\n").readResponse();
            assertTrue(answer.startsWith("HTTP/1.1 405"), answer);
        }
        try (RawHttp raw = RawHttp.connect(proxy)) {
            // the tell-tale of Quarkus' router: it answers a path-less CONNECT itself, before any route
            String answer = raw.send("CONNECT example:443 HTTP/1.1\r\nHost: example:443\r\n\r\n").readHead();
            assertTrue(answer.startsWith("HTTP/1.1 404"), answer);
        }
        try (RawHttp raw = RawHttp.connect(proxy)) {
            String answer = raw.send("POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 2048\r\n\r\n")
                    .readUntilClosed();
            assertTrue(answer.startsWith("HTTP/1.1 413"), answer);
        }
    }
}

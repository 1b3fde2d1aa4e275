package io.lb.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.lb.balancer.BackendPool;
import io.lb.testing.Behaviours;
import io.lb.testing.OptionalFeaturesProfile;
import io.lb.testing.Pools;
import io.lb.testing.RawHttp;
import io.lb.testing.TestBackend;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** quarkus.http.limits.max-body-size on the balancer's own listener: a declared body over it never leaves. */
@QuarkusTest
@TestProfile(OptionalFeaturesProfile.class)
class BodySizeLimitTest {

    @TestHTTPResource("/")
    URI proxy;

    @Inject
    BackendPool pool;

    @AfterEach
    void countsBackToZero() {
        Pools.awaitAllIdle(pool);
    }

    @Test
    void aBodyDeclaredOverTheLimitIsAnswered413AndTheConnectionClosed() throws Exception {
        try (TestBackend backend = TestBackend.start("capped")) {
            backend.behave(Behaviours.echo());
            Pools.use(pool, backend);
            try (RawHttp raw = RawHttp.connect(proxy)) {
                String answer = raw.send("POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 1025\r\n\r\n")
                        .readUntilClosed();
                assertTrue(answer.startsWith("HTTP/1.1 413"), answer);
                assertTrue(answer.contains("max-body-size"), answer);
            }
            assertEquals(0, backend.received().stream().filter(r -> !r.isHealthProbe()).count(),
                    "the backend saw nothing");
        }
    }

    @Test
    void aBodyAtTheLimitIsForwarded() throws Exception {
        try (TestBackend backend = TestBackend.start("capped")) {
            backend.behave(Behaviours.echo());
            Pools.use(pool, backend);
            String body = "x".repeat(1024);
            try (RawHttp raw = RawHttp.connect(proxy)) {
                String answer = raw.send("POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 1024\r\n\r\n" + body)
                        .readResponse();
                assertTrue(answer.startsWith("HTTP/1.1 200"), answer);
                assertTrue(answer.endsWith(body), answer);
            }
        }
    }
}

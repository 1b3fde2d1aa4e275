package io.lb.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.lb.balancer.BackendPool;
import io.lb.testing.OptionalFeaturesProfile;
import io.lb.testing.Pools;
import io.lb.testing.RawHttp;
import io.lb.testing.TestBackend;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** A proxy in front of the balancer that is trusted may tell the backend the original scheme and host. */
@QuarkusTest
@TestProfile(OptionalFeaturesProfile.class)
class TrustedProxyTest {

    @TestHTTPResource("/")
    URI proxy;

    @Inject
    BackendPool pool;

    @AfterEach
    void countsBackToZero() {
        Pools.awaitAllIdle(pool);
    }

    @Test
    void trustedPeerKeepsItsForwardedProtoAndHost() throws Exception {
        try (TestBackend backend = TestBackend.start("behind-cdn")) {
            Pools.use(pool, backend);
            try (RawHttp raw = RawHttp.connect(proxy)) {
                raw.send("GET /x HTTP/1.1\r\nHost: internal\r\nX-Forwarded-Proto: https\r\n"
                        + "X-Forwarded-Host: www.example\r\nX-Forwarded-For: 203.0.113.9\r\nConnection: close\r\n\r\n")
                        .readUntilClosed();
            }
            var seen = backend.lastRequest().headers();
            assertEquals("https", seen.get("X-Forwarded-Proto"));
            assertEquals("www.example", seen.get("X-Forwarded-Host"));
            assertEquals("203.0.113.9, 127.0.0.1", seen.get("X-Forwarded-For"));
        }
    }
}

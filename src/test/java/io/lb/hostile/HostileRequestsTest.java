package io.lb.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.lb.balancer.BackendPool;
import io.lb.testing.Behaviours;
import io.lb.testing.Pools;
import io.lb.testing.RawHttp;
import io.lb.testing.TestBackend;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Requests whose framing or meaning is ambiguous never reach a backend: they are answered with a 4xx and,
 * where what follows on the connection cannot be trusted, the connection is closed.
 */
@QuarkusTest
class HostileRequestsTest {

    static TestBackend backend;

    @TestHTTPResource("/")
    URI proxy;

    @Inject
    BackendPool pool;

    @BeforeAll
    static void start() {
        backend = TestBackend.start("target");
    }

    @AfterAll
    static void stop() {
        backend.close();
    }

    @BeforeEach
    void install() {
        backend.reset();
        backend.behave(Behaviours.echo());
        Pools.use(pool, backend);
    }

    @AfterEach
    void countsBackToZero() {
        Pools.awaitAllIdle(pool);
    }

    @Test
    void contentLengthWithTransferEncodingIsRejectedAndTheConnectionClosed() throws Exception {
        // classic CL.TE smuggling: a front end reading Content-Length would see one request, chunked framing two.
        // Netty's decoder refuses the conflicting framing (RFC 9112 6.1 allows either this or chunked framing).
        String attack = "POST /a HTTP/1.1\r\nHost: t\r\nContent-Length: 30\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: t\r\n\r\n";
        String answer = exchange(attack);
        assertTrue(answer.startsWith("HTTP/1.1 400"), answer);
        assertEquals(1, answer.split("HTTP/1\\.1 ", -1).length - 1, "one answer, the connection closed: " + answer);
        assertEquals(0, backend.requestCount(), "neither the request nor what follows its body reaches a backend");
    }

    @Test
    void obfuscatedTransferEncodingsAreRejected() throws Exception {
        for (String te : new String[] { "xchunked", "chunked, identity", "identity", "chunked\u000b" }) {
            String answer = exchange("POST /te HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: " + te
                    + "\r\n\r\n5\r\nhello\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: t\r\n\r\n");
            assertTrue(answer.startsWith("HTTP/1.1 400") || answer.startsWith("HTTP/1.0 400"), te + ": " + answer);
            assertFalse(answer.contains("200 OK"), te + ": " + answer);
        }
        assertEquals(0, backend.requestCount());
    }

    @Test
    void transferEncodingOnHttp10IsRejected() throws Exception {
        String answer = exchange("POST /old HTTP/1.0\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
        assertTrue(answer.contains(" 400 "), answer);
        assertEquals(0, backend.requestCount());
    }

    @Test
    void duplicateOrMalformedContentLengthIsRejected() throws Exception {
        for (String lengths : new String[] { "Content-Length: 5\r\nContent-Length: 6", "Content-Length: 5\r\nContent-Length: 5",
                "Content-Length: abc", "Content-Length: -1", "Content-Length: 5, 5" }) {
            String answer = exchange("POST /cl HTTP/1.1\r\nHost: t\r\n" + lengths + "\r\n\r\nhello!");
            assertTrue(answer.contains(" 400 "), lengths + ": " + answer);
        }
        assertEquals(0, backend.requestCount());
    }

    @Test
    void moreThanOneHostIsRejected() throws Exception {
        String answer = exchange("GET /h HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n");
        assertTrue(answer.startsWith("HTTP/1.1 400"), answer);
        assertTrue(answer.contains("more than one Host header"), answer);
        assertEquals(0, backend.requestCount());
    }

    @Test
    void connectIsRefused() throws Exception {
        String answer = exchange("CONNECT /tunnel HTTP/1.1\r\nHost: internal.example:443\r\n\r\n");
        assertTrue(answer.startsWith("HTTP/1.1 405"), answer);
        try (RawHttp raw = RawHttp.connect(proxy)) {
            String authorityForm = raw.send("CONNECT internal.example:443 HTTP/1.1\r\nHost: internal.example:443\r\n\r\n")
                    .readHead();
            assertTrue(authorityForm.startsWith("HTTP/1.1 405"), "no tunnel is opened: " + authorityForm);
        }
        assertEquals(0, backend.requestCount());
    }

    @Test
    void invalidMethodIsRejected() throws Exception {
        String answer = exchange("G@T /m HTTP/1.1\r\nHost: t\r\n\r\n");
        assertTrue(answer.contains(" 400 "), answer);
        assertEquals(0, backend.requestCount());
    }

    @Test
    void tooManyHeadersAreRejected() throws Exception {
        StringBuilder request = new StringBuilder("GET /many HTTP/1.1\r\nHost: t\r\n");
        for (int i = 0; i < 120; i++) {
            request.append("X-H").append(i).append(": v\r\n");
        }
        String answer = exchange(request.append("\r\n").toString());
        assertTrue(answer.startsWith("HTTP/1.1 431"), answer);
        assertEquals(0, backend.requestCount());
    }

    @Test
    void oversizedRequestLineGets414() throws Exception {
        String answer = exchange("GET /" + "a".repeat(9000) + " HTTP/1.1\r\nHost: t\r\n\r\n");
        assertTrue(answer.contains(" 414 "), answer);
        assertEquals(0, backend.requestCount());
    }

    @Test
    void oversizedHeadersGet431() throws Exception {
        String answer = exchange("GET /big HTTP/1.1\r\nHost: t\r\nX-Big: " + "b".repeat(40_000) + "\r\n\r\n");
        assertTrue(answer.contains(" 431 "), answer);
        assertEquals(0, backend.requestCount());
    }

    @Test
    void absoluteFormIsForwardedInOriginFormWithItsAuthorityAsHost() throws Exception {
        String answer = exchange("GET http://shop.example:8080/cart?id=7 HTTP/1.1\r\nHost: ignored.example\r\n"
                + "Connection: close\r\n\r\n");
        assertTrue(answer.startsWith("HTTP/1.1 200"), answer);
        assertEquals("/cart?id=7", backend.lastRequest().uri());
        assertEquals("shop.example:8080", backend.lastRequest().headers().get("Host"));
        assertEquals("shop.example:8080", backend.lastRequest().headers().get("X-Forwarded-Host"));
    }

    @Test
    void spoofedForwardedProtoAndHostFromAnUntrustedClientAreOverwritten() throws Exception {
        exchange("GET /who HTTP/1.1\r\nHost: real.example\r\nX-Forwarded-Proto: https\r\n"
                + "X-Forwarded-Host: spoofed.example\r\nX-Forwarded-For: 10.9.9.9\r\nConnection: close\r\n\r\n");
        var seen = backend.lastRequest().headers();
        assertEquals("http", seen.get("X-Forwarded-Proto"));
        assertEquals("real.example", seen.get("X-Forwarded-Host"));
        assertEquals("10.9.9.9, 127.0.0.1", seen.get("X-Forwarded-For"), "appended to, the last hop is the real peer");
    }

    /** Sends raw bytes and reads everything until the balancer closes the connection (or 10 s pass). */
    private String exchange(String raw) throws Exception {
        try (RawHttp connection = RawHttp.connect(proxy)) {
            return connection.send(raw).readUntilClosed();
        }
    }
}

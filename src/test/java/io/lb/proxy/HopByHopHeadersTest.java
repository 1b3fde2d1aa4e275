package io.lb.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.vertx.core.MultiMap;

/** Hop-by-hop header names are recognised in any case, and copying leaves them out with the names Connection lists. */
class HopByHopHeadersTest {

    @Test
    void everyHopByHopNameIsRecognisedInAnyCase() {
        for (String name : List.of("connection", "keep-alive", "proxy-authenticate", "proxy-authorization",
                "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade")) {
            assertTrue(HopByHopHeaders.isHopByHop(name), name);
            assertTrue(HopByHopHeaders.isHopByHop(name.toUpperCase()), name);
        }
        for (String name : List.of("content-type", "tE2", "trailers", "x-upgrade", "host", "", "Content-Length")) {
            assertFalse(HopByHopHeaders.isHopByHop(name), name);
        }
    }

    @Test
    void copyLeavesOutFixedAndConnectionNamedHeadersKeepingCaseAndRepeats() {
        MultiMap from = MultiMap.caseInsensitiveMultiMap()
                .add("Host", "example.test")
                .add("Connection", "keep-alive, X-Secret ,x-other")
                .add("Keep-Alive", "timeout=5")
                .add("X-SECRET", "1")
                .add("X-Other", "2")
                .add("Accept", "a")
                .add("Accept", "b")
                .add("TE", "trailers");
        MultiMap to = MultiMap.caseInsensitiveMultiMap();
        HopByHopHeaders.copyEndToEnd(from, to);
        assertEquals(List.of("example.test"), to.getAll("host"));
        assertEquals(List.of("a", "b"), to.getAll("accept"));
        assertEquals(2, to.names().size(), to.toString());
    }

    @Test
    void ipLiteralsAreTakenAsIsAndNamesAreNot() {
        assertTrue(ForwardedHeaders.isIpLiteral("127.0.0.1"));
        assertTrue(ForwardedHeaders.isIpLiteral("0:0:0:0:0:0:0:1"));
        assertTrue(ForwardedHeaders.isIpLiteral("fe80::1%eth0"));
        assertFalse(ForwardedHeaders.isIpLiteral("localhost"));
        assertFalse(ForwardedHeaders.isIpLiteral("1e100.net"));
        assertFalse(ForwardedHeaders.isIpLiteral(""));
    }
}

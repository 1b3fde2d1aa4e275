package io.lb.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.lb.config.InvalidConfigException;

/** How a request's host and path pick a route, and what the backend is sent. */
class RouteTableTest {

    private final List<Route> routes = new ArrayList<>();

    private void route(String name, String host, String prefix) {
        routes.add(new Route(routes.size(), name, host == null ? null : HostPattern.parse("k", host), prefix, false,
                name, HeaderRewrite.NONE, HeaderRewrite.NONE));
    }

    private RouteTable<String> table() {
        return new RouteTable<>(routes, Route::name);
    }

    @Test
    void anExactHostWinsOverAWildcardWhichWinsOverNoHost() {
        route("any", null, "/");
        route("wild", "*.example.com", "/");
        route("exact", "api.example.com", "/");
        RouteTable<String> table = table();
        assertEquals("exact", table.match("api.example.com", "/x"));
        assertEquals("wild", table.match("www.example.com", "/x"));
        assertEquals("any", table.match("example.org", "/x"));
        assertEquals("any", table.match(null, "/x"));
    }

    @Test
    void hostsMatchWithoutRegardToCaseOrATrailingDot() {
        route("exact", "api.example.com", "/");
        route("wild", "*.example.com", "/");
        RouteTable<String> table = table();
        assertEquals("exact", table.match("API.Example.COM", "/"));
        assertEquals("exact", table.match("api.example.com.", "/"));
        assertEquals("wild", table.match("WWW.EXAMPLE.COM", "/"));
    }

    @Test
    void aWildcardCoversNamesBelowItButNotTheNameItself() {
        route("wild", "*.example.com", "/");
        RouteTable<String> table = table();
        assertEquals("wild", table.match("a.b.example.com", "/"));
        assertNull(table.match("example.com", "/"));
        assertNull(table.match("notexample.com", "/"));
    }

    @Test
    void theLongestWildcardSuffixWins() {
        route("outer", "*.example.com", "/");
        route("inner", "*.eu.example.com", "/");
        RouteTable<String> table = table();
        assertEquals("inner", table.match("api.eu.example.com", "/"));
        assertEquals("outer", table.match("api.us.example.com", "/"));
    }

    @Test
    void theLongestPathPrefixWinsWithinAHost() {
        route("root", null, "/");
        route("api", null, "/api");
        route("v2", null, "/api/v2");
        RouteTable<String> table = table();
        assertEquals("v2", table.match("h", "/api/v2/users"));
        assertEquals("api", table.match("h", "/api/v1"));
        assertEquals("root", table.match("h", "/other"));
    }

    @Test
    void prefixesMatchWholeSegmentsOnly() {
        route("api", null, "/api");
        RouteTable<String> table = table();
        assertEquals("api", table.match("h", "/api"));
        assertEquals("api", table.match("h", "/api/"));
        assertEquals("api", table.match("h", "/api/x"));
        assertEquals("api", table.match("h", "/api?q=1"));
        assertNull(table.match("h", "/apix"));
        assertNull(table.match("h", "/ap"));
    }

    @Test
    void aHostWhosePathsDoNotMatchFallsThroughToLessSpecificRoutes() {
        route("any", null, "/");
        route("exact-api", "api.example.com", "/api");
        RouteTable<String> table = table();
        assertEquals("exact-api", table.match("api.example.com", "/api/x"));
        assertEquals("any", table.match("api.example.com", "/elsewhere"));
    }

    @Test
    void noMatchingRouteIsNull() {
        route("api", "api.example.com", "/api");
        assertNull(table().match("api.example.com", "/"));
    }

    @Test
    void strippingThePrefixKeepsTheRestAndTheQuery() {
        Route strip = new Route(0, "r", null, "/api", true, "p", HeaderRewrite.NONE, HeaderRewrite.NONE);
        assertEquals("/x", strip.forwardedUri("/api/x"));
        assertEquals("/x?q=1", strip.forwardedUri("/api/x?q=1"));
        assertEquals("/", strip.forwardedUri("/api"));
        assertEquals("/", strip.forwardedUri("/api/"));
        assertEquals("/?q=1", strip.forwardedUri("/api?q=1"));
        Route slash = new Route(0, "r", null, "/api/", true, "p", HeaderRewrite.NONE, HeaderRewrite.NONE);
        assertEquals("/x", slash.forwardedUri("/api/x"));
        Route keep = new Route(0, "r", null, "/api", false, "p", HeaderRewrite.NONE, HeaderRewrite.NONE);
        assertEquals("/api/x?q", keep.forwardedUri("/api/x?q"));
    }

    @Test
    void malformedHostPatternsAreRefusedNamingTheKey() {
        for (String bad : new String[] { "a.*.com", "*", "*example.com", "a..com", ".a.com", "a.com:8080", "",
                "exa mple.com", "-a.com" }) {
            InvalidConfigException e = assertThrows(InvalidConfigException.class,
                    () -> HostPattern.parse("lb.routes.r.host", bad), bad);
            assertTrue(e.getMessage().startsWith("lb.routes.r.host: invalid value '" + bad + "'"), e.getMessage());
        }
        assertEquals("*.example.com", HostPattern.parse("k", "*.Example.COM").toString());
    }

    @Test
    void manyHostsAreFoundAmongEachOther() {
        for (int i = 0; i < 200; i++) {
            route("r" + i, "host" + i + ".example.com", "/p" + (i % 7));
        }
        RouteTable<String> table = table();
        for (int i = 0; i < 200; i++) {
            assertEquals("r" + i, table.match("HOST" + i + ".example.com", "/p" + (i % 7) + "/x"));
            assertNull(table.match("host" + i + ".example.com", "/q"));
        }
    }
}

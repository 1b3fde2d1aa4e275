package io.lb.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

class BackendSpecParserTest {

    @Test
    void parsesUrlsWithAndWithoutWeights() {
        List<BackendSpec> specs = BackendSpecParser.parseAll(List.of(
                "http://10.0.0.1:8080", " http://backend.internal:9000;weight=3 ", "https://secure.example:8443",
                "http://[::1]:8081", "http://plain"));
        assertEquals(new BackendSpec("http", "10.0.0.1", 8080, 1), specs.get(0));
        assertEquals(new BackendSpec("http", "backend.internal", 9000, 3), specs.get(1));
        assertEquals(new BackendSpec("https", "secure.example", 8443, 1), specs.get(2));
        assertEquals(new BackendSpec("http", "::1", 8081, 1), specs.get(3));
        assertEquals("http://[::1]:8081", specs.get(3).url());
        assertEquals(80, specs.get(4).port());
    }

    @Test
    void emptyListIsRejected() {
        assertRejected(List.of(), "lb.backends is empty");
        assertRejected(List.of(" ", ""), "lb.backends is empty");
    }

    @Test
    void malformedUrlsAreRejectedWithKeyAndValue() {
        assertRejected(List.of("http://bad host:80"), "lb.backends: invalid value 'http://bad host:80': not a URL");
        assertRejected(List.of("localhost:8080"), "lb.backends: invalid value 'localhost:8080'");
        assertRejected(List.of("http://:8080"), "lb.backends: invalid value 'http://:8080'");
        assertRejected(List.of("http://a:99999"), "lb.backends: invalid value 'http://a:99999'");
        assertRejected(List.of("http://a:80/path"), "paths, queries and fragments are not supported");
        assertRejected(List.of("http://user:pw@a:80"), "credentials");
        assertRejected(List.of("http://a:80;color=blue"), "unknown parameter");
    }

    @Test
    void unsupportedSchemesAreRejected() {
        assertRejected(List.of("ftp://a:21"), "lb.backends: invalid value 'ftp://a:21': unsupported scheme 'ftp'");
        assertRejected(List.of("tcp://a:80"), "unsupported scheme 'tcp'");
    }

    @Test
    void duplicatesAreRejected() {
        assertRejected(List.of("http://a:80", "http://A:80;weight=2"),
                "lb.backends: invalid value 'http://A:80;weight=2': duplicate backend http://a:80");
        assertRejected(List.of("http://a", "http://a:80"), "duplicate backend http://a:80");
    }

    @Test
    void weightsMustBePositiveIntegers() {
        for (String weight : List.of("0", "-1", "1.5", "abc", "", "1001")) {
            assertRejected(List.of("http://a:80;weight=" + weight),
                    "lb.backends: invalid value 'http://a:80;weight=" + weight + "': weight '" + weight
                            + "' is not a positive integer");
        }
    }

    private static void assertRejected(List<String> entries, String expectedMessagePart) {
        InvalidConfigException e = assertThrows(InvalidConfigException.class,
                () -> BackendSpecParser.parseAll(entries));
        assertTrue(e.getMessage().contains(expectedMessagePart),
                "expected '" + expectedMessagePart + "' in: " + e.getMessage());
    }
}

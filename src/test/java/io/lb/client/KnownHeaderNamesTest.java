package io.lb.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import io.netty.util.AsciiString;

class KnownHeaderNamesTest {

    @Test
    void aKnownNameIsOneSharedInstanceSpelledAsSent() {
        AsciiString first = lookUp("Content-Length");
        assertEquals("Content-Length", first.toString());
        assertSame(first, lookUp("Content-Length"));
        assertEquals("content-length", lookUp("content-length").toString());
    }

    @Test
    void anyOtherSpellingOrNameIsLeftToTheDecoder() {
        assertNull(lookUp("CONTENT-LENGTH"), "the client must see the backend's own spelling");
        assertNull(lookUp("Content-Lengthy"));
        assertNull(lookUp("X-Custom"));
        assertNull(lookUp(""));
        assertNull(lookUp("X-A-Header-Name-Longer-Than-Any-Known-One"));
    }

    @Test
    void aNameIsReadWhereItSitsInTheLine() {
        byte[] line = "Server: nginx".getBytes(StandardCharsets.US_ASCII);
        assertEquals("Server", KnownHeaderNames.lookUp(line, 0, 6).toString());
        byte[] shifted = "xxDatexx".getBytes(StandardCharsets.US_ASCII);
        assertEquals("Date", KnownHeaderNames.lookUp(shifted, 2, 4).toString());
    }

    @Test
    void aKnownNameHasALowerCaseTwinForHttp2AndAnyOtherNameIsItsOwn() {
        AsciiString canonical = lookUp("Content-Type");
        CharSequence lower = KnownHeaderNames.inLowerCase(canonical);
        assertEquals("content-type", lower.toString());
        assertSame(lookUp("content-type"), lower, "the one shared lower-case instance");
        assertSame(lower, KnownHeaderNames.inLowerCase(lower));
        AsciiString unknown = AsciiString.of("X-Custom");
        assertSame(unknown, KnownHeaderNames.inLowerCase(unknown), "Vert.x lower-cases it, as before");
        AsciiString sameTextOtherInstance = AsciiString.of("Content-Type");
        assertSame(sameTextOtherInstance, KnownHeaderNames.inLowerCase(sameTextOtherInstance));
    }

    private static AsciiString lookUp(String name) {
        byte[] bytes = name.getBytes(StandardCharsets.US_ASCII);
        return KnownHeaderNames.lookUp(bytes, 0, bytes.length);
    }
}

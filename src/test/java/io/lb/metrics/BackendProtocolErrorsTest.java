package io.lb.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** What a backend's bytes may do to the log line that reports them. */
class BackendProtocolErrorsTest {

    @Test
    void controlCharactersAreEscapedSoThatNoLineCanBeForged() {
        assertEquals("bad header: a\\x00b\\x0d\\x0aFAKE LOG LINE", BackendProtocolErrors.printable(
                "bad header: a\u0000b\r\nFAKE LOG LINE"));
    }

    @Test
    void longMessagesAreCut() {
        String logged = BackendProtocolErrors.printable("x".repeat(10_000));
        assertTrue(logged.length() < 210, logged.length() + " characters");
        assertTrue(logged.endsWith("..."));
    }
}

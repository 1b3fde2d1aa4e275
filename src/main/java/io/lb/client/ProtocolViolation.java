package io.lb.client;

/**
 * A backend broke HTTP/1.1's framing or grammar. The exchange it happened on (if any) fails with it, and the
 * connection is closed: bytes whose place in the stream is unknown must never reach the next request's client.
 */
public final class ProtocolViolation extends Exception {

    /** What the backend did wrong; {@link #label()} is the metric tag and what the client's 502 names. */
    public enum Kind {
        /** The response could not be parsed: bad status line, header or chunk size, oversized head. */
        MALFORMED_RESPONSE("malformed_response", "malformed response"),
        /** Content-Length and Transfer-Encoding together: two framings, one of them a smuggling attempt. */
        AMBIGUOUS_FRAMING("ambiguous_framing", "both Content-Length and Transfer-Encoding"),
        /** A status code outside 100–599. */
        INVALID_STATUS("invalid_status", "status code outside 100-599"),
        /** 101 Switching Protocols to a request that asked for no upgrade. */
        UNSOLICITED_UPGRADE("unsolicited_upgrade", "101 Switching Protocols without an upgrade request"),
        /** Bytes past the framed end of a response (a HEAD, 204 or 304 answer's body included). */
        BYTES_AFTER_RESPONSE("bytes_after_response", "bytes past the end of the response"),
        /** Bytes on a connection that no request was waiting on. */
        UNSOLICITED_BYTES("unsolicited_bytes", "bytes on an idle connection");

        private final String label;
        private final String description;

        Kind(String label, String description) {
            this.label = label;
            this.description = description;
        }

        public String label() {
            return label;
        }

        public String description() {
            return description;
        }
    }

    private final Kind kind;

    public ProtocolViolation(Kind kind, String detail) {
        super(kind.description() + (detail == null ? "" : ": " + detail), null, false, false);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}

package io.lb.proxy;

import java.util.Map;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;

/**
 * Turns away requests whose meaning is ambiguous before any byte of them reaches a backend: framing that two
 * parsers could read differently (request smuggling), more than one Host, methods a reverse proxy does not
 * serve. Netty has already rejected malformed and conflicting Content-Length values and syntax errors with a
 * 400 by the time a request gets here.
 */
final class RequestGate {

    /** Why a request was turned away: the status and a short plain-text reason. */
    record Rejection(int status, String reason) {
    }

    private static final Rejection SHUTTING_DOWN =
            new Rejection(503, "503 Service Unavailable: the balancer is shutting down\n");

    private final int maxHeaders;
    private final long maxBodyBytes;
    private volatile boolean refusingAll;

    RequestGate(int maxHeaders, long maxBodyBytes) {
        this.maxHeaders = maxHeaders;
        this.maxBodyBytes = maxBodyBytes;
    }

    void refuseAll() {
        refusingAll = true;
    }

    /** Null when the request may pass. */
    Rejection check(HttpServerRequest request) {
        if (refusingAll) {
            return SHUTTING_DOWN;
        }
        if (request.method() == HttpMethod.CONNECT) {
            return new Rejection(405, "405 Method Not Allowed: CONNECT is not supported by this reverse proxy\n");
        }
        // one pass over the header fields, no list or set built: this runs for every request
        int fields = 0;
        int hosts = 0;
        int transferEncodings = 0;
        String transferEncoding = null;
        String contentLength = null;
        for (Map.Entry<String, String> field : request.headers()) {
            fields++;
            String name = field.getKey();
            if (name.equalsIgnoreCase("host")) {
                hosts++;
            } else if (name.equalsIgnoreCase("transfer-encoding")) {
                transferEncodings++;
                transferEncoding = field.getValue();
            } else if (name.equalsIgnoreCase("content-length")) {
                contentLength = field.getValue();
            }
        }
        if (fields > maxHeaders) {
            return new Rejection(431, "431 Request Header Fields Too Large: more than " + maxHeaders + " headers\n");
        }
        if (hosts > 1) {
            return new Rejection(400, "400 Bad Request: more than one Host header\n");
        }
        if (transferEncodings > 0 && !isPlainChunked(request.version(), transferEncodings, transferEncoding)) {
            return new Rejection(400, "400 Bad Request: the only Transfer-Encoding accepted is a single 'chunked'\n");
        }
        // Netty has already refused malformed and conflicting Content-Length values with a 400
        if (contentLength != null && Long.parseLong(contentLength.trim()) > maxBodyBytes) {
            return new Rejection(413, "413 Content Too Large: the body is over quarkus.http.limits.max-body-size ("
                    + maxBodyBytes + " bytes)\n");
        }
        return null;
    }

    /**
     * The connection of a request framed by Transfer-Encoding is closed after the response, so that nothing
     * pipelined behind its body is ever read as a request of its own (RFC 9112 §6.1 asks that much of a request
     * that also carried a Content-Length; Netty's decoder rejects those outright).
     */
    static boolean mustCloseAfter(HttpServerRequest request) {
        return request.version() != HttpVersion.HTTP_2 && request.headers().contains(HttpHeaders.TRANSFER_ENCODING);
    }

    private static boolean isPlainChunked(HttpVersion version, int count, String value) {
        return version == HttpVersion.HTTP_1_1 && count == 1
                && stripOptionalWhitespace(value).equalsIgnoreCase("chunked");
    }

    /** Only spaces and tabs are optional whitespace (RFC 9110 §5.6.3); other control characters are not. */
    private static String stripOptionalWhitespace(String value) {
        int start = 0;
        int end = value.length();
        while (start < end && (value.charAt(start) == ' ' || value.charAt(start) == '\t')) {
            start++;
        }
        while (end > start && (value.charAt(end - 1) == ' ' || value.charAt(end - 1) == '\t')) {
            end--;
        }
        return value.substring(start, end);
    }
}

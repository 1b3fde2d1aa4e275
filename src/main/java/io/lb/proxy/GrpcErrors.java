package io.lb.proxy;

import java.nio.charset.StandardCharsets;

import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

/**
 * The balancer's own answers to gRPC clients ({@code content-type: application/grpc}, {@code +proto},
 * {@code grpc-web}...), as Envoy gives them: HTTP 200 with the status in {@code grpc-status} and the reason in
 * {@code grpc-message}, and no body (a "trailers-only" response). A gRPC client reports a bare 503 as an
 * unexpected HTTP status; this way it reports UNAVAILABLE or DEADLINE_EXCEEDED, and may retry on its own terms.
 */
final class GrpcErrors {

    static final int DEADLINE_EXCEEDED = 4;
    static final int RESOURCE_EXHAUSTED = 8;
    static final int UNIMPLEMENTED = 12;
    static final int INTERNAL = 13;
    static final int UNAVAILABLE = 14;
    static final int UNKNOWN = 2;

    private static final String GRPC = "application/grpc";
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private GrpcErrors() {
    }

    /** Whether the request is a gRPC call: only then is an error answered the gRPC way. */
    static boolean isGrpc(HttpServerRequest request) {
        String type = request.getHeader(HttpHeaders.CONTENT_TYPE);
        return type != null && type.regionMatches(true, 0, GRPC, 0, GRPC.length());
    }

    /**
     * The gRPC status for the balancer's HTTP status, after gRPC's HTTP-to-gRPC mapping, except for the balancer's
     * timeouts (504, 408), which are deadlines it gave up on.
     */
    static int statusFor(int httpStatus) {
        return switch (httpStatus) {
            case 502, 503, 429 -> UNAVAILABLE;
            case 504, 408 -> DEADLINE_EXCEEDED;
            case 404 -> UNIMPLEMENTED;
            case 400 -> INTERNAL;
            case 413, 431 -> RESOURCE_EXHAUSTED;
            default -> UNKNOWN;
        };
    }

    /**
     * Answers {@code httpStatus}'s gRPC status with {@code text} (the plain-text answer's one line, request id
     * included) as its message. The content type is the request's own, so that a grpc-web client gets its own.
     */
    static Future<Void> send(HttpServerRequest request, HttpServerResponse response, int httpStatus, String text) {
        if (response.headWritten() || response.ended() || response.closed()) {
            return Future.succeededFuture();
        }
        String type = request.getHeader(HttpHeaders.CONTENT_TYPE);
        return response.setStatusCode(200)
                .putHeader(HttpHeaders.CONTENT_TYPE, type.length() <= 100 ? type : GRPC)
                .putHeader("grpc-status", Integer.toString(statusFor(httpStatus)))
                .putHeader("grpc-message", message(text))
                .end();
    }

    /** The text on one line, percent-encoded as gRPC says: bytes outside printable ASCII, and '%'. */
    static String message(String text) {
        String line = text.strip().replace("\n", "; ");
        StringBuilder encoded = new StringBuilder(line.length() + 8);
        for (byte b : line.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xFF;
            if (c >= 0x20 && c <= 0x7E && c != '%') {
                encoded.append((char) c);
            } else {
                encoded.append('%').append(HEX[c >> 4]).append(HEX[c & 0xF]);
            }
        }
        return encoded.toString();
    }
}

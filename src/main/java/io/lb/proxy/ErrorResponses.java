package io.lb.proxy;

import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;

/** The balancer's own answers when no backend answers: short, plain text, and saying which failure it was. */
final class ErrorResponses {

    static final String BAD_GATEWAY = "502 Bad Gateway: the backend failed to answer (%s)\n";
    static final String NO_BACKEND = "503 Service Unavailable: no backend is available\n";
    static final String GATEWAY_TIMEOUT = "504 Gateway Timeout: the backend did not answer in time\n";
    static final String QUEUE_FULL = "503 Service Unavailable: every backend is at capacity\n";
    static final String REQUEST_BODY_TIMEOUT = "408 Request Timeout: the request body stopped arriving\n";

    private ErrorResponses() {
    }

    static Future<Void> send(HttpServerResponse response, int status, String body) {
        if (response.headWritten() || response.ended() || response.closed()) {
            return Future.succeededFuture();
        }
        return response.setStatusCode(status)
                .putHeader("Content-Type", "text/plain; charset=utf-8")
                .putHeader("Cache-Control", "no-store")
                .end(body);
    }

    /** Answers with {@code Connection: close}; the caller closes the connection once this completes. */
    static Future<Void> sendClosing(HttpServerResponse response, int status, String body) {
        if (!response.headWritten()) {
            response.putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
        }
        return send(response, status, body);
    }

    static String badGateway(AttemptFailure.Kind kind) {
        return BAD_GATEWAY.formatted(describe(kind));
    }

    private static String describe(AttemptFailure.Kind kind) {
        return switch (kind) {
            case CONNECT, STALE_CONNECTION -> "connection failed";
            case RESET_UNREAD -> "connection reset";
            case CLOSED -> "connection closed before the response";
            case TIMEOUT, QUEUE_TIMEOUT -> "timeout";
            case QUEUE_FULL -> "every connection busy";
        };
    }
}

package io.lb.proxy;

import io.lb.client.ProtocolViolation;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.net.HostAndPort;

/**
 * The balancer's own answers when no backend answers: short, plain text, and saying which failure it was (to a gRPC
 * client, the same in gRPC's shape).
 */
final class ErrorResponses {

    static final String BAD_GATEWAY = "502 Bad Gateway: the backend failed to answer (%s)\n";
    static final String NO_BACKEND = "503 Service Unavailable: no backend is available\n";
    static final String GATEWAY_TIMEOUT = "504 Gateway Timeout: the backend did not answer in time\n";
    static final String RATE_LIMITED = "429 Too Many Requests: over this route's rate limit\n";
    static final String QUEUE_FULL = "503 Service Unavailable: every backend is at capacity\n";
    static final String REQUEST_BODY_TIMEOUT = "408 Request Timeout: the request body stopped arriving\n";

    private static final int MAX_ECHOED = 200;

    private ErrorResponses() {
    }

    /** The balancer's own answer to an exchange, with the request's id in its headers and body. */
    static Future<Void> send(HttpServerRequest request, int status, String body, RequestIds ids, String requestId,
            boolean closing) {
        HttpServerResponse response = request.response();
        if (!response.headWritten()) {
            ids.write(requestId, response.headers());
        }
        return answer(request, status, withRequestId(body, requestId), closing);
    }

    /**
     * Plain text, or for a gRPC call the same text as its {@code grpc-message} ({@link GrpcErrors}); with
     * {@code closing}, {@code Connection: close} (the caller closes the connection once this completes).
     */
    static Future<Void> answer(HttpServerRequest request, int status, String text, boolean closing) {
        HttpServerResponse response = request.response();
        if (!GrpcErrors.isGrpc(request)) {
            return closing ? sendClosing(response, status, text) : send(response, status, text);
        }
        if (closing && !response.headWritten()) {
            response.putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
        }
        return GrpcErrors.send(request, response, status, text);
    }

    /** The body with a line naming the request's id, so that a user's report can be found in the access log. */
    static String withRequestId(String body, String requestId) {
        return requestId == null ? body : body + "request id: " + requestId + "\n";
    }

    /** Names what was asked for (cut short), so that a missing route is easy to tell from a missing page. */
    static String noRoute(HostAndPort authority, String uri) {
        String host = authority == null ? "(none)" : authority.host();
        int query = uri.indexOf('?');
        String path = query < 0 ? uri : uri.substring(0, query);
        return "404 Not Found: no route for host " + shortened(host) + " and path " + shortened(path) + "\n";
    }

    private static String shortened(String text) {
        return text.length() <= MAX_ECHOED ? text : text.substring(0, MAX_ECHOED) + "...";
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

    /** Names the class of failure, never the backend's own bytes. */
    static String badGateway(AttemptFailure failure) {
        ProtocolViolation.Kind violation = failure.violation();
        return violation == null ? badGateway(failure.kind())
                : BAD_GATEWAY.formatted("protocol error: " + violation.description());
    }

    private static String describe(AttemptFailure.Kind kind) {
        return switch (kind) {
            case CONNECT, STALE_CONNECTION -> "connection failed";
            case RESET_UNREAD -> "connection reset";
            case CLOSED -> "connection closed before the response";
            case PROTOCOL_ERROR -> "protocol error";
            case TIMEOUT, QUEUE_TIMEOUT -> "timeout";
            case QUEUE_FULL -> "every connection busy";
        };
    }
}

package io.lb.proxy;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;

/** Passes a backend's response to the client: status and end-to-end headers, then the body as it streams. */
final class ResponseRelay {

    private ResponseRelay() {
    }

    /**
     * Completes when the client has the whole body, fails if either side breaks. On failure the client
     * response is not ended, so the caller can reset it and the client never mistakes a cut body for a whole
     * one.
     */
    static Future<Void> relay(HttpClientResponse from, HttpServerResponse to, HttpMethod method) {
        to.setStatusCode(from.statusCode());
        if (from.statusMessage() != null) {
            to.setStatusMessage(from.statusMessage());
        }
        HopByHopHeaders.copyEndToEnd(from.headers(), to.headers());
        if (!to.headers().contains(HttpHeaders.CONTENT_LENGTH) && mayHaveBody(from.statusCode(), method)) {
            to.setChunked(true);
        }
        flushHeadUnlessBodyFollows(to);
        return from.pipe().endOnFailure(false).to(to);
    }

    /**
     * A streaming response (server-sent events, long polling) must show its head at once. Most bodies arrive
     * in the same read as the head, though, and then head and body should leave in one write: so the head is
     * flushed on its own only if nothing was written by the end of this event-loop turn.
     */
    private static void flushHeadUnlessBodyFollows(HttpServerResponse to) {
        Vertx.currentContext().runOnContext(ignored -> {
            if (!to.headWritten() && !to.ended() && !to.closed()) {
                to.writeHead();
            }
        });
    }

    private static boolean mayHaveBody(int status, HttpMethod method) {
        return method != HttpMethod.HEAD && status >= 200 && status != 204 && status != 304;
    }
}

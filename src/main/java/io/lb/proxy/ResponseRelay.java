package io.lb.proxy;

import io.vertx.core.Future;
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
        return from.pipe().endOnFailure(false).to(to);
    }

    private static boolean mayHaveBody(int status, HttpMethod method) {
        return method != HttpMethod.HEAD && status >= 200 && status != 204 && status != 304;
    }
}

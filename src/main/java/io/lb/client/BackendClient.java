package io.lb.client;

import io.lb.config.BackendSpec;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;

/**
 * Sends proxied requests to backends over pooled, kept-alive connections. The future fails only when no
 * connection could be had; everything after that is reported through the {@link BackendRequest}.
 */
public interface BackendClient {

    /** Must be called on the event loop that serves the client's request: the exchange stays on it. */
    Future<BackendRequest> request(BackendSpec backend, HttpMethod method, String uri);

    /** Closes the connections this client opened (the application is stopping). */
    default void close() {
    }
}

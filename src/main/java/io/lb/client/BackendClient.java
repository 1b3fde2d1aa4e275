package io.lb.client;

import io.lb.config.BackendSpec;
import io.vertx.core.http.HttpMethod;

/**
 * Sends proxied requests to backends over pooled, kept-alive connections, and tells a {@link RequestListener} what
 * becomes of each: a connection was had (or not), then the response head arrived (or not).
 */
public interface BackendClient {

    /**
     * What becomes of one request. Called on the event loop the request was made on, with its Vert.x context
     * current: first {@link #connected} or {@link #connectFailed}; after {@code connected}, one of
     * {@link #responseHead} or {@link #responseFailed}. Each is called at most once.
     */
    interface RequestListener {

        /** A connection is ready: fill the request's headers and stream its body. */
        void connected(BackendRequest request);

        /** No connection could be had: nothing was sent. */
        void connectFailed(Throwable cause);

        void responseHead(BackendResponse response);

        /** The connection broke, or the request was reset, before the response head. */
        void responseFailed(Throwable cause);
    }

    /** Must be called on the event loop that serves the client's request: the exchange stays on it. */
    void request(BackendSpec backend, HttpMethod method, String uri, RequestListener listener);

    /** Closes the connections this client opened (the application is stopping). */
    default void close() {
    }
}

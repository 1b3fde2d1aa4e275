package io.lb.proxy;

import io.lb.balancer.Backend;
import io.lb.routing.Route;
import io.vertx.core.http.HttpServerRequest;

/** What an {@link ExchangeListener} may read of an exchange. Final values are final once it has ended. */
public interface Exchange {

    HttpServerRequest request();

    /** The route that matched, or null (the request was rejected or no route matched). */
    Route route();

    /** The pool the route leads to, or null. */
    String pool();

    /** The request target the backends are sent (the route's prefix stripped), or null for a request never routed. */
    default String backendUri() {
        return null;
    }

    /** {@link System#nanoTime()} when the request arrived. */
    long startNanos();

    /** Nanoseconds from arrival to the backend's response head, 0 if none came. */
    long responseHeadNanos();

    /** How long the exchange took: to its end, or for a WebSocket tunnel to the switch of protocols. */
    long durationNanos();

    /** The backend that served the request last, or null. */
    Backend backend();

    /** Tries made so far, the first one included. */
    int tries();

    /** Why each retry was made, comma-separated in order ({@code connect,status_503}); empty without retries. */
    String retryReasons();

    /** The request's id ({@code lb.request-id.header}), or null when ids are off. */
    String requestId();

    /** The status the client was sent, 0 if none. */
    int status();

    /** How the exchange ended; null until it has. */
    Outcome outcome();

    /** Whether this exchange is a WebSocket tunnel. */
    default boolean tunnel() {
        return false;
    }
}

package io.lb.proxy;

import io.lb.balancer.Backend;
import io.vertx.core.MultiMap;

/**
 * Hears how each exchange goes. Metrics, the access log and tracing are listeners (CDI beans of this type): a new
 * observer is one more bean, with no change to the hot path. Every call is made on the exchange's event loop and
 * must not block it; an exchange's calls come in order, {@link #exchangeEnded} exactly once and last. A request
 * turned away before it was routed (refused by the request gate, or matched by no route) is heard of only through
 * {@link #exchangeEnded}.
 */
public interface ExchangeListener {

    /**
     * Asked once, at startup: a listener that answers false (an observer switched off by configuration) is left out
     * and never called, so that it costs nothing per request.
     */
    default boolean enabled() {
        return true;
    }

    /**
     * Asked once, at startup: whether this listener adds headers to the tries' backend requests
     * ({@link #tryHeaders}). Only those that say so are called there.
     */
    default boolean writesTryHeaders() {
        return false;
    }

    /** A request was routed and its exchange begins. */
    default void exchangeStarted(Exchange exchange) {
    }

    /** A try at {@code backend} begins; {@code retryReason} says why it is a retry, null for the first try. */
    default void tryStarted(Exchange exchange, Backend backend, String retryReason) {
    }

    /**
     * The try at {@code backend} (the one {@link #tryStarted} announced last) is about to send its request head:
     * {@code headers} holds what the backend will be sent, and this listener may add to it or replace in it (a
     * trace context). Called after the route's header rules, only on listeners that {@link #writesTryHeaders}; a
     * try that never gets a connection is not heard of here.
     */
    default void tryHeaders(Exchange exchange, Backend backend, MultiMap headers) {
    }

    /**
     * The try at {@code backend} is over: {@code failure} names why it gave no usable response (null when its
     * response reached the client, or was replaced by a retry on its status, which is {@code status}).
     */
    default void tryEnded(Exchange exchange, Backend backend, int status, String failure) {
    }

    /** A retry was wanted but not made, for {@code reason} (body_too_large, budget_exhausted, no_backend). */
    default void retryAbandoned(Exchange exchange, String reason) {
    }

    /**
     * Admission control turned the exchange (or one of its tries) away for {@code reason}: {@code queue_full} (the
     * backend's line for a connection was full), {@code request_body_timeout} (the body stopped arriving) or
     * {@code rate_limited} (the route's rate limit; the exchange then ends with a 429).
     */
    default void admissionRejected(Exchange exchange, String reason) {
    }

    /** A WebSocket tunnel opened; {@link #exchangeEnded} follows when it closes. */
    default void tunnelOpened(Exchange exchange) {
    }

    /** The exchange is over: its outcome, status and backend are final. */
    default void exchangeEnded(Exchange exchange) {
    }
}

package io.lb.proxy;

import io.lb.balancer.Backend;
import io.lb.routing.Route;
import io.vertx.core.http.HttpServerRequest;

/**
 * What listeners read of an exchange, kept as it happens: the exchanges and tunnels extend it and write it through
 * {@link #headArrived} and {@link #ended}.
 */
abstract class ExchangeRecord implements Exchange {

    private final HttpServerRequest request;
    private final Route route;
    private final String pool;
    private final String requestId;
    private final long startNanos = System.nanoTime();
    /** Null until a retry is made: an exchange without retries builds nothing. */
    private StringBuilder retryReasons;
    private long responseHeadNanos;
    private Backend servedBy;
    private int status;
    private Outcome outcome;
    private long endNanos;

    ExchangeRecord(HttpServerRequest request, Route route, String pool, String requestId) {
        this.request = request;
        this.route = route;
        this.pool = pool;
        this.requestId = requestId;
    }

    /** A retry is being made, for {@code reason}. */
    final void retried(String reason) {
        if (retryReasons == null) {
            retryReasons = new StringBuilder(reason);
        } else {
            retryReasons.append(',').append(reason);
        }
    }

    /** A response head came: now. */
    final void headArrived() {
        headArrived(System.nanoTime());
    }

    /** A response head came at {@code atNanos}. */
    final void headArrived(long atNanos) {
        responseHeadNanos = atNanos - startNanos;
    }

    /** The exchange is over at {@code atNanos}; false if it already was (it ends once). */
    final boolean ended(Backend backend, int finalStatus, Outcome how, long atNanos) {
        if (outcome != null) {
            return false;
        }
        outcome = how;
        servedBy = backend;
        status = finalStatus;
        endNanos = atNanos;
        return true;
    }

    final boolean over() {
        return outcome != null;
    }

    @Override
    public final HttpServerRequest request() {
        return request;
    }

    @Override
    public final Route route() {
        return route;
    }

    @Override
    public final String pool() {
        return pool;
    }

    @Override
    public final long startNanos() {
        return startNanos;
    }

    @Override
    public final long responseHeadNanos() {
        return responseHeadNanos;
    }

    @Override
    public final long durationNanos() {
        return (outcome == null ? System.nanoTime() : endNanos) - startNanos;
    }

    @Override
    public final Backend backend() {
        return servedBy;
    }

    @Override
    public final int status() {
        return status;
    }

    @Override
    public final Outcome outcome() {
        return outcome;
    }

    @Override
    public final String retryReasons() {
        return retryReasons == null ? "" : retryReasons.toString();
    }

    @Override
    public final String requestId() {
        return requestId;
    }
}

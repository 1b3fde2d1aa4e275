package io.lb.proxy;

import io.lb.balancer.Backend;
import io.lb.balancer.Lease;
import io.lb.client.BackendClient;
import io.lb.client.BackendClient.RequestListener;
import io.lb.client.BackendRequest;
import io.lb.client.BackendResponse;
import io.lb.timer.Timeout;
import io.lb.timer.TimerWheel;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.net.HostAndPort;

/**
 * One try of a request at one backend: connect (or take a pooled connection), send the head and the body, wait
 * for the response head. {@link #send} reports the head, or an {@link AttemptFailure}, to its {@link Listener}. The
 * try holds the backend's lease until {@link #finish}, {@link #fail} or {@link #abort}.
 */
final class Attempt implements RequestListener {

    /** What a try tells the exchange that made it; called on the exchange's event loop, never after an abort. */
    interface Listener {

        /** Fills the backend request's (empty) headers, just before they are sent. */
        void writeHeaders(Attempt attempt, MultiMap headers);

        void onResponseHead(Attempt attempt, BackendResponse response);

        void onAttemptFailed(Attempt attempt, AttemptFailure failure);
    }

    private final Lease lease;
    private final TimerWheel timers;
    private final long startNanos;
    private Listener listener;
    private HostAndPort authority;
    private boolean chunked;
    private RequestBody body;
    /** The head or a failure was reported: nothing more is. */
    private boolean settled;
    private BackendRequest backendRequest;
    private Timeout responseTimeout;
    private boolean aborted;

    /** {@code nowNanos}: the {@link System#nanoTime()} the try starts at. */
    Attempt(Lease lease, TimerWheel timers, long nowNanos) {
        this.lease = lease;
        this.timers = timers;
        this.startNanos = nowNanos;
    }

    Backend backend() {
        return lease.backend();
    }

    long elapsedNanos() {
        return elapsedNanos(System.nanoTime());
    }

    long elapsedNanos(long nowNanos) {
        return nowNanos - startNanos;
    }

    /**
     * Sends the request. The per-try timeout runs from here, not from the connection: a try waiting for one of the
     * backend's pooled connections (all busy with slow exchanges) gives up as surely as one waiting for the response
     * head. An aborted try reports nothing.
     */
    void send(BackendClient client, HttpMethod method, String uri, HostAndPort authority, boolean chunked,
            RequestBody body, long responseTimeoutMillis, Listener listener) {
        this.listener = listener;
        this.authority = authority;
        this.chunked = chunked;
        this.body = body;
        responseTimeout = timers.schedule(responseTimeoutMillis, this::timedOut, startNanos);
        client.request(lease.backend().spec(), method, uri, this);
    }

    @Override
    public void connected(BackendRequest request) {
        if (aborted) {
            request.reset(null); // nothing was written: the connection goes back to the pool
            return;
        }
        backendRequest = request;
        if (authority != null) {
            request.authority(authority);
        }
        listener.writeHeaders(this, request.headers());
        request.setChunked(chunked);
        body.streamTo(request);
    }

    @Override
    public void connectFailed(Throwable cause) {
        if (!aborted) {
            responseTimeout.cancel();
            failed(AttemptFailure.beforeSend(cause));
        }
    }

    @Override
    public void responseHead(BackendResponse response) {
        responseTimeout.cancel();
        if (!aborted && !settled) {
            settled = true;
            listener.onResponseHead(this, response);
        }
    }

    @Override
    public void responseFailed(Throwable cause) {
        responseTimeout.cancel();
        if (!aborted) {
            failed(AttemptFailure.afterSend(cause));
        }
    }

    private void failed(AttemptFailure failure) {
        if (!settled) {
            settled = true;
            listener.onAttemptFailed(this, failure);
        }
    }

    private void timedOut() {
        if (backendRequest != null) {
            // fails response(), which fails the head
            backendRequest.reset(new AttemptFailure(AttemptFailure.Kind.TIMEOUT, null));
        } else if (!aborted) {
            aborted = true; // still waiting for a connection: when one comes, it is handed back unused
            failed(new AttemptFailure(AttemptFailure.Kind.QUEUE_TIMEOUT, null));
        }
    }

    /** Ends the exchange with this backend normally. */
    void finish() {
        lease.release();
    }

    /** Ends the exchange as the backend's failure. */
    void fail() {
        lease.releaseAsFailure();
    }

    /** Gives up on this try: the backend connection is reset so that it stops working for nobody. */
    void abort() {
        aborted = true;
        if (responseTimeout != null) {
            responseTimeout.cancel();
        }
        if (backendRequest != null) {
            backendRequest.reset(null);
        }
        lease.release();
    }
}

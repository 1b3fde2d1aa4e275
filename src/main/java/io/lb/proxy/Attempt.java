package io.lb.proxy;

import io.lb.balancer.Backend;
import io.lb.balancer.Lease;
import io.lb.client.BackendClient;
import io.lb.client.BackendRequest;
import io.lb.client.BackendResponse;
import io.lb.timer.Timeout;
import io.lb.timer.TimerWheel;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.net.HostAndPort;

/**
 * One try of a request at one backend: connect (or take a pooled connection), send the head and the body,
 * wait for the response head. It holds the backend's lease until {@link #finish} or {@link #abort}.
 */
final class Attempt {

    /** The exchange a try belongs to: it writes the request's headers and hears how the try went. */
    interface Owner {
        /** Fills the backend request's headers (they start empty). */
        void writeHeaders(MultiMap backendHeaders);

        void onResponseHead(Attempt attempt, BackendResponse response);

        void onAttemptFailed(Attempt attempt, AttemptFailure failure);
    }

    private final Lease lease;
    private final TimerWheel timers;
    private final long startNanos = System.nanoTime();
    private BackendRequest backendRequest;
    private Timeout responseTimeout;
    private boolean aborted;

    Attempt(Lease lease, TimerWheel timers) {
        this.lease = lease;
        this.timers = timers;
    }

    Backend backend() {
        return lease.backend();
    }

    long elapsedNanos() {
        return System.nanoTime() - startNanos;
    }

    /**
     * The per-try timeout runs from here, not from the connection: a try waiting for one of the backend's pooled
     * connections (all busy with slow exchanges) gives up as surely as one waiting for the response head.
     */
    void send(BackendClient client, HttpMethod method, String uri, HostAndPort authority, boolean chunked,
            RequestBody body, long responseTimeoutMillis, Owner owner) {
        responseTimeout = timers.schedule(responseTimeoutMillis, () -> timedOut(owner));
        client.request(lease.backend().spec(), method, uri).onComplete(connected -> {
            if (connected.failed()) {
                if (!aborted) {
                    responseTimeout.cancel();
                    owner.onAttemptFailed(this, AttemptFailure.beforeSend(connected.cause()));
                }
                return;
            }
            BackendRequest request = connected.result();
            if (aborted) {
                request.reset(null); // nothing was written: the connection goes back to the pool
                return;
            }
            backendRequest = request;
            if (authority != null) {
                request.authority(authority);
            }
            owner.writeHeaders(request.headers());
            request.setChunked(chunked);
            request.response().onComplete(response -> {
                responseTimeout.cancel();
                if (response.succeeded()) {
                    owner.onResponseHead(this, response.result());
                } else {
                    owner.onAttemptFailed(this, AttemptFailure.afterSend(response.cause()));
                }
            });
            body.streamTo(request);
        });
    }

    private void timedOut(Owner owner) {
        if (backendRequest != null) {
            // fails response(), which tells the owner
            backendRequest.reset(new AttemptFailure(AttemptFailure.Kind.TIMEOUT, null));
        } else if (!aborted) {
            aborted = true; // still waiting for a connection: when one comes, it is handed back unused
            owner.onAttemptFailed(this, new AttemptFailure(AttemptFailure.Kind.QUEUE_TIMEOUT, null));
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

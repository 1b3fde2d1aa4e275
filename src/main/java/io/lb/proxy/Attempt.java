package io.lb.proxy;

import java.util.function.Consumer;

import io.lb.balancer.Backend;
import io.lb.balancer.Lease;
import io.lb.client.BackendClient;
import io.lb.client.BackendRequest;
import io.lb.client.BackendResponse;
import io.lb.timer.Timeout;
import io.lb.timer.TimerWheel;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.net.HostAndPort;

/**
 * One try of a request at one backend: connect (or take a pooled connection), send the head and the body, wait
 * for the response head. {@link #send} returns the head, or fails with an {@link AttemptFailure}. The try holds the
 * backend's lease until {@link #finish}, {@link #fail} or {@link #abort}.
 */
final class Attempt {

    private final Lease lease;
    private final TimerWheel timers;
    private final long startNanos = System.nanoTime();
    private final Promise<BackendResponse> head = Promise.promise();
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
     * Sends the request; {@code writeHeaders} fills the backend request's (empty) headers. The per-try timeout runs
     * from here, not from the connection: a try waiting for one of the backend's pooled connections (all busy with
     * slow exchanges) gives up as surely as one waiting for the response head. An aborted try's future never
     * completes.
     */
    Future<BackendResponse> send(BackendClient client, HttpMethod method, String uri, HostAndPort authority,
            boolean chunked, RequestBody body, long responseTimeoutMillis, Consumer<MultiMap> writeHeaders) {
        responseTimeout = timers.schedule(responseTimeoutMillis, this::timedOut);
        client.request(lease.backend().spec(), method, uri).onComplete(connected -> {
            if (connected.failed()) {
                if (!aborted) {
                    responseTimeout.cancel();
                    head.tryFail(AttemptFailure.beforeSend(connected.cause()));
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
            writeHeaders.accept(request.headers());
            request.setChunked(chunked);
            request.response().onComplete(response -> {
                responseTimeout.cancel();
                if (aborted) {
                    return;
                }
                if (response.succeeded()) {
                    head.tryComplete(response.result());
                } else {
                    head.tryFail(AttemptFailure.afterSend(response.cause()));
                }
            });
            body.streamTo(request);
        });
        return head.future();
    }

    private void timedOut() {
        if (backendRequest != null) {
            // fails response(), which fails the head
            backendRequest.reset(new AttemptFailure(AttemptFailure.Kind.TIMEOUT, null));
        } else if (!aborted) {
            aborted = true; // still waiting for a connection: when one comes, it is handed back unused
            head.tryFail(new AttemptFailure(AttemptFailure.Kind.QUEUE_TIMEOUT, null));
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

package io.lb.proxy;

import io.lb.balancer.Backend;
import io.lb.balancer.Lease;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.HostAndPort;

/**
 * One try of a request at one backend: connect (or take a pooled connection), send the head and the body,
 * wait for the response head. It holds the backend's lease until {@link #finish} or {@link #abort}.
 */
final class Attempt {

    private final Lease lease;
    private final Vertx vertx;
    private final long startNanos = System.nanoTime();
    private HttpClientRequest backendRequest;
    private long responseTimer = -1;
    private boolean aborted;

    Attempt(Lease lease, Vertx vertx) {
        this.lease = lease;
        this.vertx = vertx;
    }

    Backend backend() {
        return lease.backend();
    }

    long elapsedNanos() {
        return System.nanoTime() - startNanos;
    }

    Future<HttpClientResponse> send(HttpClient client, RequestOptions options, HostAndPort authority,
            boolean chunked, RequestBody body, long responseTimeoutMillis) {
        Promise<HttpClientResponse> head = Promise.promise();
        client.request(options).onComplete(connected -> {
            if (connected.failed()) {
                head.tryFail(AttemptFailure.beforeSend(connected.cause()));
                return;
            }
            HttpClientRequest request = connected.result();
            if (aborted) {
                request.reset();
                return;
            }
            backendRequest = request;
            if (authority != null) {
                request.authority(authority);
            }
            request.setChunked(chunked);
            request.exceptionHandler(ignored -> {
                // surfaces through response() as well; handled there
            });
            responseTimer = vertx.setTimer(responseTimeoutMillis, id -> request.reset(0,
                    new AttemptFailure(AttemptFailure.Kind.TIMEOUT, null)));
            request.response().onComplete(response -> {
                vertx.cancelTimer(responseTimer);
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
        vertx.cancelTimer(responseTimer);
        if (backendRequest != null) {
            backendRequest.reset();
        }
        lease.release();
    }
}

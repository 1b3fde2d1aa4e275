package io.lb.proxy;

import java.util.ArrayList;
import java.util.List;

import io.lb.balancer.Backend;
import io.lb.client.BackendResponse;
import io.lb.metrics.Outcome;
import io.lb.timer.TimerWheel;
import io.vertx.core.AsyncResult;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.HostAndPort;

/**
 * One client request on its way through the balancer. It reads top-down:
 * pick the least-connected backend, try it, and on failure either try another one or answer with an error;
 * once a backend's response head arrives, relay it and never retry again.
 * Everything here runs on the client connection's event loop.
 */
final class ProxyExchange implements Attempt.Owner {

    private final Proxy proxy;
    private final HttpServerRequest request;
    private final HttpServerResponse response;
    private final HttpMethod method;
    private final RequestBody body;
    private boolean chunkedUpload;
    /** A body was announced: chunked, or a Content-Length above 0. */
    private final boolean announcesBody;
    private final boolean closeConnectionAfter;
    private final HostAndPort authority;
    private final TimerWheel timers;
    private final long startNanos = System.nanoTime();
    private final long deadline;
    private final List<Backend> tried = new ArrayList<>(2);
    private Attempt current;
    private AttemptFailure lastFailure;
    private boolean holdsRetryToken;
    private boolean over;
    /** The affinity token the client sent (only when sticky sessions are on). */
    private String stickyToken;

    ProxyExchange(Proxy proxy, HttpServerRequest request, boolean closeConnectionAfter) {
        this.proxy = proxy;
        this.closeConnectionAfter = closeConnectionAfter;
        this.request = request;
        this.response = request.response();
        this.method = request.method();
        this.authority = proxy.forwardedAuthority(request);
        this.timers = TimerWheel.ofCurrentEventLoop(proxy.vertx());
        this.body = new RequestBody(request, proxy.bodyBufferBytes(), timers, proxy.requestBodyIdleMillis());
        this.chunkedUpload = hasBodyOfUnknownLength(request);
        this.announcesBody = chunkedUpload || announcesLength(request);
        this.deadline = startNanos + proxy.overallTimeoutNanos();
    }

    void start() {
        proxy.budget().requestStarted();
        if (closeConnectionAfter) {
            response.putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
        }
        response.closeHandler(ignored -> clientGone());
        body.onClientFailure(ignored -> clientGone());
        if (!body.ended()) {
            body.onStall(this::bodyStalled);
        }
        if (request.headers().contains(HttpHeaders.EXPECT, HttpHeaders.CONTINUE, true)) {
            response.writeContinue();
        }
        if (chunkedUpload && request.version() == HttpVersion.HTTP_2) {
            // An HTTP/2 stream's end (END_STREAM, often on the HEADERS frame itself) is delivered after this
            // handler: look one event-loop turn ahead, so that a GET is not sent to an HTTP/1.1 backend as a
            // chunked upload. Data that arrives meanwhile is held (the body pauses itself without a target).
            request.resume();
            Vertx.currentContext().runOnContext(ignored -> firstTryOfHttp2Stream());
            return;
        }
        tryNextBackend();
    }

    private void firstTryOfHttp2Stream() {
        if (over) {
            return;
        }
        if (body.ended() && !body.hasBytes()) {
            chunkedUpload = false;
        }
        tryNextBackend();
    }

    private void tryNextBackend() {
        if (tried.isEmpty()) {
            stickyToken = proxy.stickyToken(request);
        }
        Backend backend = proxy.chooseBackend(stickyToken, tried);
        if (backend == null) {
            answerWithError();
            return;
        }
        tried.add(backend);
        Attempt attempt = new Attempt(backend.lease(), timers);
        current = attempt;
        attempt.send(proxy.client(), method, proxy.forwardedUri(request), authority, chunkedUpload, body,
                responseTimeoutMillis(), this);
    }

    @Override
    public void writeHeaders(MultiMap backendHeaders) {
        proxy.writeOutgoingHeaders(request, authority, backendHeaders);
    }

    @Override
    public void onResponseHead(Attempt attempt, BackendResponse backendResponse) {
        if (over) {
            discard(attempt, backendResponse);
            return;
        }
        proxy.recordLatency(attempt.backend(), attempt.elapsedNanos());
        proxy.health().responded(attempt.backend(), backendResponse.statusCode());
        if (proxy.policy().allowsRetryOn(backendResponse.statusCode(), method) && mayTryAgain(true)) {
            discard(attempt, backendResponse);
            body.detach();
            retry("status_" + backendResponse.statusCode());
            return;
        }
        relay(attempt, backendResponse);
    }

    /** Gives up on a response nobody will read; its stream reset is expected, not an error to log. */
    private static void discard(Attempt attempt, BackendResponse unread) {
        if (unread != null) {
            unread.exceptionHandler(ignored -> {
            });
        }
        attempt.abort();
    }

    @Override
    public void onAttemptFailed(Attempt attempt, AttemptFailure failure) {
        if (over) {
            discard(attempt, null);
            return;
        }
        body.detach();
        if (failure.kind() == AttemptFailure.Kind.QUEUE_FULL) {
            attempt.finish(); // busy, not failing
            proxy.rejections().queueFull();
        } else {
            attempt.fail();
        }
        if (failure.timedOut()) {
            proxy.recordLatency(attempt.backend(), attempt.elapsedNanos());
        }
        if (failure.backendUnreachable()) {
            proxy.health().connectionFailed(attempt.backend(), failure.getMessage());
        } else if (failure.kind() != AttemptFailure.Kind.STALE_CONNECTION
                && failure.kind() != AttemptFailure.Kind.QUEUE_FULL) {
            proxy.health().gatewayError(attempt.backend(), failure.getMessage());
        }
        lastFailure = failure;
        if (proxy.policy().allowsRetryAfter(failure, method) && mayTryAgain(proxy.policy().budgeted(failure))) {
            retry(failure.kind().name().toLowerCase());
        } else {
            answerWithError();
        }
    }

    private boolean mayTryAgain(boolean budgeted) {
        if (tried.size() >= proxy.policy().maxAttempts() || System.nanoTime() >= deadline) {
            return false;
        }
        if (body.hasBytes() && !body.replayable()) {
            proxy.metrics().retryAbandonedBodyTooLarge();
            return false;
        }
        if (budgeted && !holdsRetryToken) {
            holdsRetryToken = proxy.budget().tryStartRetry();
            if (!holdsRetryToken) {
                proxy.metrics().retryRefusedByBudget();
                return false;
            }
        }
        return true;
    }

    private void retry(String reason) {
        proxy.metrics().retry(reason);
        tryNextBackend();
    }

    private void relay(Attempt attempt, BackendResponse backendResponse) {
        int status = backendResponse.statusCode();
        if (bodyStillComing()) {
            response.putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE); // answered before the whole body: see end
        }
        proxy.stick(request, stickyToken, attempt.backend());
        ResponseRelay.relay(timers, backendResponse, response, method, proxy.idleTimeoutMillis())
                .onComplete(relayed -> onRelayEnded(attempt, status, relayed));
    }

    private void onRelayEnded(Attempt attempt, int status, AsyncResult<Void> relayed) {
        body.forgetReplay();
        // Recorded before the lease is released: the release may take a retired backend out of the pool and its
        // meters with it.
        if (relayed.succeeded()) {
            end(attempt.backend(), status, Outcome.SUCCESS);
            attempt.finish();
        } else if (response.closed() || relayed.cause() instanceof ResponseRelay.ClientFailure) {
            end(attempt.backend(), status, Outcome.CLIENT_ABORT);
            attempt.abort();
        } else {
            // The backend broke mid-body or went silent. A cut body must not look complete: reset the client's
            // stream (on HTTP/1.1, its connection) instead of ending the response.
            end(attempt.backend(), status,
                    relayed.cause() instanceof ResponseRelay.IdleTimeout ? Outcome.TIMEOUT : Outcome.BACKEND_ERROR);
            attempt.fail();
            proxy.health().gatewayError(attempt.backend(), relayed.cause().getMessage());
            attempt.abort();
            response.reset();
        }
    }

    private void answerWithError() {
        Backend last = tried.isEmpty() ? null : tried.get(tried.size() - 1);
        if (lastFailure == null) {
            sendError(503, ErrorResponses.NO_BACKEND);
            end(null, 503, Outcome.NO_BACKEND);
        } else if (lastFailure.kind() == AttemptFailure.Kind.QUEUE_FULL) {
            sendError(503, ErrorResponses.QUEUE_FULL);
            end(null, 503, Outcome.NO_BACKEND);
        } else if (lastFailure.timedOut()) {
            sendError(504, ErrorResponses.GATEWAY_TIMEOUT);
            end(last, 504, Outcome.TIMEOUT);
        } else {
            sendError(502, ErrorResponses.badGateway(lastFailure.kind()));
            end(last, 502, Outcome.BACKEND_ERROR);
        }
    }

    private void sendError(int status, String text) {
        if (bodyStillComing()) {
            ErrorResponses.sendClosing(response, status, text);
        } else {
            ErrorResponses.send(response, status, text);
        }
    }

    private void clientGone() {
        // an HTTP/2 stream reports its close once the response has ended: that is no client going away
        if (over || response.ended()) {
            return;
        }
        Attempt abandoned = current;
        // Ended first: resetting the backend request fails the attempt at once, and that failure must be seen as
        // ours (discarded), not as the backend's error to count against it and retry elsewhere.
        end(abandoned == null ? null : abandoned.backend(), response.headWritten() ? response.getStatusCode() : 0,
                Outcome.CLIENT_ABORT);
        if (abandoned != null) {
            abandoned.abort();
        }
    }

    /**
     * The client stopped sending its body (lb.timeout.request-body-idle). Before the response has begun it gets
     * 408 and, on HTTP/1.x, its connection is closed: what it would send later cannot be told from a next request.
     */
    private void bodyStalled() {
        if (over) {
            return;
        }
        proxy.rejections().requestBodyTimeout();
        if (response.headWritten()) {
            response.reset(); // too late for a 408: the client's connection goes, and clientGone accounts for it
            return;
        }
        Attempt abandoned = current;
        sendError(408, ErrorResponses.REQUEST_BODY_TIMEOUT);
        // Ended (which closes the connection behind the answer) before the backend request is reset, so that its
        // failure is ours (discarded), not the backend's.
        end(null, 408, Outcome.REJECTED);
        if (abandoned != null) {
            abandoned.abort();
        }
    }

    /** The one place an exchange ends: whatever happens, it is accounted for once. */
    private void end(Backend servedBy, int status, Outcome outcome) {
        if (over) {
            return;
        }
        over = true;
        body.stopWatching();
        if (holdsRetryToken) {
            proxy.budget().retryEnded();
        }
        proxy.budget().requestEnded();
        proxy.metrics().requestEnded(servedBy, status, outcome, System.nanoTime() - startNanos);
        if (closeConnectionAfter || (bodyStillComing() && proxy.closingConnections().mark(request))) {
            // queued behind the response's last write, so the client still gets the whole answer
            proxy.closingConnections().close(request);
        }
    }

    /**
     * An HTTP/1.x request whose announced body has not all arrived. Answered now, its connection is closed after
     * the answer (which says so): nobody reads the rest, what the client sends after it cannot be told from a next
     * request, and trickling it would hold the connection for as long as the client likes. (A request without a
     * body only looks unfinished while it is paused, its end not yet delivered.) An HTTP/2 stream ends on its own.
     */
    private boolean bodyStillComing() {
        return announcesBody && !body.ended() && !body.failed() && request.version() != HttpVersion.HTTP_2;
    }

    private static boolean announcesLength(HttpServerRequest request) {
        String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
        return length != null && !length.trim().equals("0");
    }

    /** A body without Content-Length: chunked on HTTP/1.1, or an HTTP/2 stream that is still open. */
    private static boolean hasBodyOfUnknownLength(HttpServerRequest request) {
        if (request.headers().contains(HttpHeaders.CONTENT_LENGTH)) {
            return false;
        }
        return request.headers().contains(HttpHeaders.TRANSFER_ENCODING)
                || (request.version() == HttpVersion.HTTP_2 && !request.isEnded());
    }

    private long responseTimeoutMillis() {
        long remaining = (deadline - System.nanoTime()) / 1_000_000;
        return Math.max(1, Math.min(proxy.responseTimeoutMillis(), remaining));
    }
}

package io.lb.proxy;

import java.util.ArrayList;
import java.util.List;

import io.lb.balancer.Backend;
import io.lb.client.BackendResponse;
import io.lb.timer.TimerWheel;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.HostAndPort;

/**
 * One client request on its way through the balancer. It reads top-down: pick a backend of the route's pool, try
 * it, and on failure either try another one or answer with an error; once a backend's response head arrives,
 * relay it and never retry again. Everything here runs on the client connection's event loop.
 */
final class ProxyExchange extends ExchangeRecord implements Attempt.Listener, ResponseRelay.Listener {

    private final Forwarding forwarding;
    private final RouteTarget target;
    private final Upstream upstream;
    private final HttpServerRequest request;
    private final HttpServerResponse response;
    private final HttpMethod method;
    private final HostAndPort authority;
    private final String backendUri;
    private final RequestBody body;
    private boolean chunkedUpload;
    /** A body was announced: chunked, or a Content-Length above 0. */
    private final boolean announcesBody;
    private final boolean closeConnectionAfter;
    private final TimerWheel timers;
    private final long deadline;
    private final List<Backend> tried = new ArrayList<>(2);
    /** The latest try: once a head is relayed, the one whose response it is. */
    private Attempt current;
    /** The status of the head being relayed. */
    private int relayedStatus;
    private AttemptFailure lastFailure;
    private boolean holdsRetryToken;
    /** Why the next try is a retry; null for the first try. */
    private String retryReason;
    /** The affinity token the client sent (only when the pool has affinity). */
    private String stickyToken;

    ProxyExchange(Forwarding forwarding, RouteTarget target, HttpServerRequest request, HostAndPort authority,
            String uri, boolean closeConnectionAfter, boolean bodiless) {
        super(request, target.route(), target.upstream().name(), forwarding.requestIds().of(request));
        this.forwarding = forwarding;
        this.target = target;
        this.upstream = target.upstream();
        this.closeConnectionAfter = closeConnectionAfter;
        this.request = request;
        this.response = request.response();
        this.method = request.method();
        this.authority = authority;
        this.backendUri = target.route().forwardedUri(uri);
        this.timers = TimerWheel.ofCurrentEventLoop(forwarding.vertx());
        this.body = new RequestBody(request, bodiless, forwarding.bodyBufferBytes(), timers,
                forwarding.requestBodyIdleMillis());
        this.chunkedUpload = !bodiless && hasBodyOfUnknownLength(request);
        this.announcesBody = !bodiless && (chunkedUpload || announcesLength(request));
        this.deadline = startNanos() + forwarding.overallTimeoutNanos();
    }

    void start() {
        forwarding.budget().requestStarted();
        forwarding.listeners().exchangeStarted(this);
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
            // The HEADERS frame did not end the stream, but its end may follow in the same read (an empty DATA
            // frame, as some clients send for a GET): look one event-loop turn ahead, so that such a request is not
            // sent to an HTTP/1.1 backend as a chunked upload. Data that arrives meanwhile is held (the body pauses
            // itself without a target).
            Vertx.currentContext().runOnContext(ignored -> firstTryOfHttp2Stream());
            return;
        }
        tryNextBackend();
    }

    private void firstTryOfHttp2Stream() {
        if (over()) {
            return;
        }
        if (body.ended() && !body.hasBytes()) {
            chunkedUpload = false;
        }
        tryNextBackend();
    }

    private void tryNextBackend() {
        if (tried.isEmpty()) {
            stickyToken = upstream.stickyToken(request);
        }
        Backend backend = upstream.choose(stickyToken, tried);
        if (backend == null) {
            if (retryReason != null) {
                forwarding.listeners().retryAbandoned(this, "no_backend");
            }
            answerWithError();
            return;
        }
        tried.add(backend);
        if (retryReason != null) {
            retried(retryReason);
        }
        forwarding.listeners().tryStarted(this, backend, retryReason);
        retryReason = null;
        long now = System.nanoTime();
        Attempt attempt = new Attempt(backend.lease(), timers, now);
        current = attempt;
        attempt.send(forwarding.client(), method, backendUri, authority, chunkedUpload, body, responseTimeoutMillis(now),
                this);
    }

    @Override
    public void writeHeaders(Attempt attempt, MultiMap backendHeaders) {
        forwarding.headers().writeRequest(request, authority, backendHeaders);
        forwarding.requestIds().write(requestId(), backendHeaders);
        target.route().request().applyTo(backendHeaders);
        forwarding.listeners().tryHeaders(this, attempt.backend(), backendHeaders);
    }

    @Override
    public void finishHeaders(MultiMap clientHeaders) {
        target.route().response().applyTo(clientHeaders);
        forwarding.requestIds().write(requestId(), clientHeaders);
    }

    @Override
    public void onResponseHead(Attempt attempt, BackendResponse backendResponse) {
        if (over()) {
            discard(attempt, backendResponse);
            return;
        }
        int headStatus = backendResponse.statusCode();
        long now = System.nanoTime();
        upstream.recordLatency(attempt.backend(), attempt.elapsedNanos(now));
        forwarding.health().responded(attempt.backend(), headStatus);
        if (upstream.retry().allowsRetryOn(headStatus, method) && mayTryAgain(true)) {
            forwarding.listeners().tryEnded(this, attempt.backend(), headStatus, null);
            discard(attempt, backendResponse);
            body.detach();
            retry(statusReason(headStatus));
            return;
        }
        headArrived(now);
        relay(attempt, backendResponse, now);
    }

    /** Gives up on a response nobody will read; its stream reset is expected, not an error to log. */
    private static void discard(Attempt attempt, BackendResponse unread) {
        unread.exceptionHandler(ignored -> {
        });
        attempt.abort();
    }

    @Override
    public void onAttemptFailed(Attempt attempt, AttemptFailure failure) {
        if (over()) {
            attempt.abort();
            return;
        }
        body.detach();
        if (failure.kind() == AttemptFailure.Kind.QUEUE_FULL) {
            attempt.finish(); // busy, not failing
            forwarding.listeners().admissionRejected(this, "queue_full");
        } else {
            attempt.fail();
        }
        forwarding.listeners().tryEnded(this, attempt.backend(), 0, failure.reason());
        if (failure.timedOut()) {
            upstream.recordLatency(attempt.backend(), attempt.elapsedNanos());
        }
        if (failure.backendUnreachable()) {
            forwarding.health().connectionFailed(attempt.backend(), failure.getMessage());
        } else if (failure.kind() != AttemptFailure.Kind.STALE_CONNECTION
                && failure.kind() != AttemptFailure.Kind.QUEUE_FULL) {
            forwarding.health().gatewayError(attempt.backend(), failure.getMessage());
        }
        lastFailure = failure;
        if (upstream.retry().allowsRetryAfter(failure, method)
                && mayTryAgain(upstream.retry().budgeted(failure))) {
            retry(failure.reason());
        } else {
            answerWithError();
        }
    }

    private boolean mayTryAgain(boolean budgeted) {
        if (tried.size() >= upstream.retry().maxAttempts() || System.nanoTime() >= deadline) {
            return false;
        }
        if (body.hasBytes() && !body.replayable()) {
            forwarding.listeners().retryAbandoned(this, "body_too_large");
            return false;
        }
        if (budgeted && !holdsRetryToken) {
            holdsRetryToken = forwarding.budget().tryStartRetry();
            if (!holdsRetryToken) {
                forwarding.listeners().retryAbandoned(this, "budget_exhausted");
                return false;
            }
        }
        return true;
    }

    /** The reason of a retry after a response with a status of {@code lb.retry.on-statuses}. */
    static String statusReason(int status) {
        return "status_" + status;
    }

    /** The next try is counted as a retry when it is really made, not when it is wanted. */
    private void retry(String reason) {
        retryReason = reason;
        tryNextBackend();
    }

    private void relay(Attempt attempt, BackendResponse backendResponse, long now) {
        int headStatus = backendResponse.statusCode();
        if (bodyStillComing()) {
            response.putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE); // answered before the whole body: see end
        }
        upstream.stick(request, stickyToken, attempt.backend());
        relayedStatus = headStatus;
        ResponseRelay.relay(timers, backendResponse, response, method, forwarding.idleTimeoutMillis(), now, this);
    }

    @Override
    public void relayEnded(Throwable failure) {
        Attempt attempt = current;
        int headStatus = relayedStatus;
        body.forgetReplay();
        // Recorded before the lease is released: the release may take a retired backend out of the pool and its
        // meters with it.
        if (failure == null) {
            forwarding.listeners().tryEnded(this, attempt.backend(), headStatus, null);
            end(attempt.backend(), headStatus, Outcome.SUCCESS);
            attempt.finish();
        } else if (response.closed() || failure instanceof ResponseRelay.ClientFailure) {
            forwarding.listeners().tryEnded(this, attempt.backend(), headStatus, "client_abort");
            end(attempt.backend(), headStatus, Outcome.CLIENT_ABORT);
            attempt.abort();
        } else {
            // The backend broke mid-body or went silent. A cut body must not look complete: reset the client's
            // stream (on HTTP/1.1, its connection) instead of ending the response.
            boolean idle = failure instanceof ResponseRelay.IdleTimeout;
            forwarding.listeners().tryEnded(this, attempt.backend(), headStatus, idle ? "idle_timeout" : "body_cut");
            end(attempt.backend(), headStatus, idle ? Outcome.TIMEOUT : Outcome.BACKEND_ERROR);
            attempt.fail();
            forwarding.health().gatewayError(attempt.backend(), failure.getMessage());
            attempt.abort();
            response.reset();
        }
    }

    private void answerWithError() {
        Backend last = tried.isEmpty() ? null : tried.get(tried.size() - 1);
        if (lastFailure == null) {
            answer(503, ErrorResponses.NO_BACKEND);
            end(null, 503, Outcome.NO_BACKEND);
        } else if (lastFailure.kind() == AttemptFailure.Kind.QUEUE_FULL) {
            answer(503, ErrorResponses.QUEUE_FULL);
            end(null, 503, Outcome.NO_BACKEND);
        } else if (lastFailure.timedOut()) {
            answer(504, ErrorResponses.GATEWAY_TIMEOUT);
            end(last, 504, Outcome.TIMEOUT);
        } else {
            answer(502, ErrorResponses.badGateway(lastFailure));
            end(last, 502, Outcome.BACKEND_ERROR);
        }
    }

    /** The balancer's own answer; with the body still coming, its connection is closed after it (see end). */
    private void answer(int errorStatus, String text) {
        ErrorResponses.send(request, errorStatus, text, forwarding.requestIds(), requestId(), bodyStillComing());
    }

    /**
     * The client stopped sending its body (lb.timeout.request-body-idle). Before the response has begun it gets
     * 408 and, on HTTP/1.x, its connection is closed: what it would send later cannot be told from a next request.
     */
    private void bodyStalled() {
        if (over()) {
            return;
        }
        forwarding.listeners().admissionRejected(this, "request_body_timeout");
        if (response.headWritten()) {
            response.reset(); // too late for a 408: the client's connection goes, and clientGone accounts for it
            return;
        }
        Attempt abandoned = current;
        answer(408, ErrorResponses.REQUEST_BODY_TIMEOUT);
        // Ended (which closes the connection behind the answer) before the backend request is reset, so that its
        // failure is ours (discarded), not the backend's.
        end(null, 408, Outcome.REJECTED);
        if (abandoned != null) {
            abandoned.abort();
        }
    }

    private void clientGone() {
        // an HTTP/2 stream reports its close once the response has ended: that is no client going away
        if (over() || response.ended()) {
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

    /** The one place an exchange ends: whatever happens, it is accounted for once. */
    private void end(Backend backend, int finalStatus, Outcome how) {
        if (!ended(backend, finalStatus, how, System.nanoTime())) {
            return;
        }
        body.stopWatching();
        if (holdsRetryToken) {
            forwarding.budget().retryEnded();
        }
        forwarding.budget().requestEnded();
        forwarding.listeners().exchangeEnded(this);
        if (closeConnectionAfter || (bodyStillComing() && forwarding.closingConnections().mark(request))) {
            // queued behind the response's last write, so the client still gets the whole answer
            forwarding.closingConnections().close(request);
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

    private long responseTimeoutMillis(long now) {
        long remaining = (deadline - now) / 1_000_000;
        return Math.max(1, Math.min(upstream.responseTimeoutMillis(), remaining));
    }

    @Override
    public String backendUri() {
        return backendUri;
    }

    @Override
    public int tries() {
        return tried.size();
    }
}

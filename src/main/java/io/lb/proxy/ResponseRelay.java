package io.lb.proxy;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;

/**
 * Passes a backend's response to the client: status and end-to-end headers, then the body as it streams,
 * with back-pressure (the backend is paused while the client cannot take more) and an idle watchdog (a backend
 * silent for longer than the idle timeout, while the client is ready for more, fails the relay).
 * <p>
 * The watchdog is the relay's own, one timer cancelled when the relay ends: Vert.x' request idle timeout
 * would keep its timer, and the finished request, alive for the whole timeout after every response, and then
 * reset a pooled connection that meanwhile carries another request.
 */
final class ResponseRelay {

    /** The backend sent nothing for the idle timeout while the client was waiting for more. */
    static final class IdleTimeout extends Exception {
        IdleTimeout(long millis) {
            super("no data from the backend for " + millis + " ms", null, false, false);
        }
    }

    /** Writing to the client failed: the client went away, the backend is not at fault. */
    static final class ClientFailure extends Exception {
        ClientFailure(Throwable cause) {
            super("client connection failed: " + cause.getMessage(), cause, false, false);
        }
    }

    private final Vertx vertx;
    private final HttpClientResponse from;
    private final HttpServerResponse to;
    private final long idleMillis;
    private final Promise<Void> done = Promise.promise();
    private long lastActivityNanos = System.nanoTime();
    private boolean waitingForClient;
    private long watchdog = -1;

    private ResponseRelay(Vertx vertx, HttpClientResponse from, HttpServerResponse to, long idleMillis) {
        this.vertx = vertx;
        this.from = from;
        this.to = to;
        this.idleMillis = idleMillis;
    }

    /**
     * Completes when the client has the whole body, fails if either side breaks or the backend goes idle. On
     * failure the client response is not ended, so the caller can reset it and the client never mistakes a cut
     * body for a whole one.
     */
    static Future<Void> relay(Vertx vertx, HttpClientResponse from, HttpServerResponse to, HttpMethod method,
            long idleMillis) {
        to.setStatusCode(from.statusCode());
        if (from.statusMessage() != null) {
            to.setStatusMessage(from.statusMessage());
        }
        HopByHopHeaders.copyEndToEnd(from.headers(), to.headers());
        if (!to.headers().contains(HttpHeaders.CONTENT_LENGTH) && mayHaveBody(from.statusCode(), method)) {
            to.setChunked(true);
        }
        flushHeadUnlessBodyFollows(to);
        return new ResponseRelay(vertx, from, to, idleMillis).start();
    }

    private Future<Void> start() {
        from.pause();
        from.handler(this::onChunk);
        from.endHandler(ignored -> to.end().onComplete(ended -> {
            if (ended.succeeded()) {
                finish(null);
            } else {
                finish(new ClientFailure(ended.cause()));
            }
        }));
        from.exceptionHandler(this::finish);
        to.exceptionHandler(failure -> finish(new ClientFailure(failure)));
        watchdog = vertx.setTimer(idleMillis, this::checkIdle);
        from.resume();
        return done.future();
    }

    private void onChunk(Buffer chunk) {
        lastActivityNanos = System.nanoTime();
        to.write(chunk);
        if (to.writeQueueFull()) {
            waitingForClient = true;
            from.pause();
            to.drainHandler(ignored -> {
                waitingForClient = false;
                lastActivityNanos = System.nanoTime();
                from.resume();
            });
        }
    }

    private void checkIdle(long timerId) {
        if (done.future().isComplete()) {
            return;
        }
        long idleNanos = System.nanoTime() - lastActivityNanos;
        long limitNanos = idleMillis * 1_000_000;
        if (waitingForClient || idleNanos < limitNanos) {
            // a slow client is the client-side idle timeout's business, not the backend's
            long next = waitingForClient ? idleMillis : Math.max(1, (limitNanos - idleNanos) / 1_000_000);
            watchdog = vertx.setTimer(next, this::checkIdle);
        } else {
            finish(new IdleTimeout(idleMillis));
        }
    }

    private void finish(Throwable failure) {
        if (done.future().isComplete()) {
            return;
        }
        vertx.cancelTimer(watchdog);
        if (failure == null) {
            done.complete();
        } else {
            done.fail(failure);
        }
    }

    /**
     * A streaming response (server-sent events, long polling) must show its head at once. Most bodies arrive
     * in the same read as the head, though, and then head and body should leave in one write: so the head is
     * flushed on its own only if nothing was written by the end of this event-loop turn.
     */
    private static void flushHeadUnlessBodyFollows(HttpServerResponse to) {
        Vertx.currentContext().runOnContext(ignored -> {
            if (!to.headWritten() && !to.ended() && !to.closed()) {
                to.writeHead();
            }
        });
    }

    private static boolean mayHaveBody(int status, HttpMethod method) {
        return method != HttpMethod.HEAD && status >= 200 && status != 204 && status != 304;
    }
}

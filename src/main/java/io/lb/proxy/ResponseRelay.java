package io.lb.proxy;

import io.lb.client.BackendResponse;
import io.lb.timer.Timeout;
import io.lb.timer.TimerWheel;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;

/**
 * Passes a backend's response to the client: status and end-to-end headers, then the body as it streams,
 * with back-pressure (the backend is paused while the client cannot take more) and an idle watchdog (a backend
 * silent for longer than the idle timeout, while the client is ready for more, fails the relay).
 * <p>
 * The watchdog is the relay's own, one timeout cancelled when the relay ends: Vert.x' request idle timeout
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

    /** What a relay tells its exchange; on the exchange's event loop. */
    interface Listener {

        /** The client's headers, with the backend's end-to-end ones copied: the last change before they leave. */
        void finishHeaders(MultiMap clientHeaders);

        /**
         * Called once: the client has the whole body ({@code failure} null), or the relay failed: the backend broke
         * or went idle ({@link IdleTimeout}), or the client went away ({@link ClientFailure}).
         */
        void relayEnded(Throwable failure);
    }

    private final TimerWheel timers;
    private final BackendResponse from;
    private final HttpServerResponse to;
    private final long idleMillis;
    private final Listener listener;
    private boolean finished;
    private long lastActivityNanos;
    private boolean waitingForClient;
    private Timeout watchdog;
    /** Declared, 0 when there can be none (HEAD, 204, 304), or -1: a stream (chunked, or until the close). */
    private final long contentLength;
    private long received;
    /** The last chunk received, not yet written: if the end follows in the same turn, both leave in one write. */
    private Buffer held;
    private boolean flushScheduled;

    private ResponseRelay(TimerWheel timers, BackendResponse from, HttpServerResponse to, long idleMillis,
            long contentLength, long nowNanos, Listener listener) {
        this.lastActivityNanos = nowNanos;
        this.listener = listener;
        this.timers = timers;
        this.from = from;
        this.to = to;
        this.idleMillis = idleMillis;
        this.contentLength = contentLength;
    }

    /**
     * Tells the listener when the client has the whole body, or that either side broke or the backend went idle. On
     * failure the client response is not ended, so the listener can reset it and the client never mistakes a cut
     * body for a whole one. {@code nowNanos}: the {@link System#nanoTime()} the head arrived at.
     */
    static void relay(TimerWheel timers, BackendResponse from, HttpServerResponse to, HttpMethod method,
            long idleMillis, long nowNanos, Listener listener) {
        to.setStatusCode(from.statusCode());
        String reason = from.statusMessage();
        if (reason != null && !reason.equals(HttpResponseStatus.valueOf(from.statusCode()).reasonPhrase())) {
            to.setStatusMessage(reason); // Vert.x would build a status object of its own for every response
        }
        HopByHopHeaders.copyEndToEnd(from.headers(), to.headers());
        listener.finishHeaders(to.headers());
        boolean bodyExpected = mayHaveBody(from.statusCode(), method);
        String contentLength = to.headers().get(HttpHeaders.CONTENT_LENGTH);
        if (contentLength == null && bodyExpected) {
            to.setChunked(true);
        }
        long declaredLength = bodyExpected ? parseLength(contentLength) : 0;
        new ResponseRelay(timers, from, to, idleMillis, declaredLength, nowNanos, listener).start();
    }

    private void start() {
        from.pause();
        from.handler(this::onChunk);
        from.endHandler(ignored -> {
            relayTrailers();
            Buffer last = held;
            held = null;
            (last == null ? to.end() : to.end(last)).onComplete(ended -> {
                if (ended.succeeded()) {
                    finish(null);
                } else {
                    finish(new ClientFailure(ended.cause()));
                }
            });
        });
        from.exceptionHandler(failure -> {
            // what the backend did send reaches the client before the cut
            if (held != null && !to.closed()) {
                writeHeld();
            }
            finish(failure);
        });
        to.exceptionHandler(failure -> finish(new ClientFailure(failure)));
        watchdog = timers.schedule(idleMillis, this::checkIdle, lastActivityNanos);
        if (contentLength < 0) {
            scheduleFlush(); // a stream: its head must not wait for its first chunk
        }
        from.resume();
    }

    /**
     * Trailers (gRPC's status lives there) follow a stream's body: a chunked HTTP/1.1 body or any HTTP/2 one.
     * Asking a fixed-length HTTP/1.1 response for them would only allocate an empty map. The client gets them
     * when its response can carry them (HTTP/2, or chunked HTTP/1.1).
     */
    private void relayTrailers() {
        if (contentLength < 0 || from.version() == HttpVersion.HTTP_2) {
            MultiMap trailers = from.trailers();
            if (!trailers.isEmpty()) {
                HopByHopHeaders.copyEndToEnd(trailers, to.trailers());
            }
        }
    }

    private void onChunk(Buffer chunk) {
        lastActivityNanos = System.nanoTime();
        received += chunk.length();
        if (held != null) {
            writeHeld();
        }
        held = chunk;
        if (contentLength >= 0) {
            if (received < contentLength) {
                writeHeld(); // more to come: pass it on now
            }
            // else the body is complete and its end is being decoded right behind it: end(chunk) writes both
        } else {
            scheduleFlush();
        }
    }

    /**
     * A streaming response (server-sent events, long polling; chunked or delimited by the connection's close) must
     * show its head and each chunk at once. Most bodies arrive in the same read as the head and their end, though,
     * and then head, body and end should leave in one write: so what is held is written at the end of this
     * event-loop turn, unless the end came first. A body of declared length needs no such task: its last chunk is
     * known as the last, and its head leaves with its first chunk.
     */
    private void scheduleFlush() {
        if (!flushScheduled) {
            flushScheduled = true;
            Vertx.currentContext().runOnContext(ignored -> flush());
        }
    }

    private void flush() {
        flushScheduled = false;
        if (finished || to.ended() || to.closed()) {
            return;
        }
        if (held != null) {
            writeHeld();
        } else if (!to.headWritten()) {
            to.writeHead();
        }
    }

    private void writeHeld() {
        Buffer chunk = held;
        held = null;
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

    private void checkIdle() {
        if (finished) {
            return;
        }
        long idleNanos = System.nanoTime() - lastActivityNanos;
        long limitNanos = idleMillis * 1_000_000;
        if (waitingForClient || idleNanos < limitNanos) {
            // a slow client is the client-side idle timeout's business, not the backend's
            long next = waitingForClient ? idleMillis : Math.max(1, (limitNanos - idleNanos) / 1_000_000);
            watchdog = timers.schedule(next, this::checkIdle);
        } else {
            finish(new IdleTimeout(idleMillis));
        }
    }

    private void finish(Throwable failure) {
        if (finished) {
            return;
        }
        finished = true;
        watchdog.cancel();
        held = null;
        listener.relayEnded(failure);
    }

    /** Netty has validated the header by now; anything unexpected just means "not known". */
    private static long parseLength(String value) {
        if (value == null) {
            return -1;
        }
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static boolean mayHaveBody(int status, HttpMethod method) {
        return method != HttpMethod.HEAD && status >= 200 && status != 204 && status != 304;
    }
}

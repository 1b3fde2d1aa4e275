package io.lb.proxy;

import java.util.ArrayList;
import java.util.List;

import io.lb.client.BackendRequest;
import io.lb.timer.Timeout;
import io.lb.timer.TimerWheel;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;

/**
 * The client's request body on its way to a backend. It streams with back-pressure (the client is paused
 * while the backend connection cannot take more) and keeps a copy of what it has seen, up to a limit, so
 * that another try can be sent the same bytes. Past the limit the copy is dropped and the body can no longer
 * be replayed.
 * <p>
 * While it is reading (not while it holds the client back itself) it watches for a client that stops sending:
 * silence longer than {@code lb.timeout.request-body-idle} is reported through {@link #onStall}.
 */
final class RequestBody {

    private final HttpServerRequest source;
    private final long replayLimit;
    /** What was received so far, for a replay; null once past the limit. Its array is made on the first chunk. */
    private List<Buffer> kept;
    private long bytesReceived;
    /** Bytes past the replay limit held because no backend request was there to take them yet. */
    private boolean heldPastLimit;
    private boolean ended;
    private Throwable failure;
    private BackendRequest target;
    private Handler<Throwable> clientFailureHandler = failure -> {
    };
    private final TimerWheel timers;
    private final long idleMillis;
    private Runnable stallHandler = () -> {
    };
    /** Resumed by us: waiting for whatever the client sends. */
    private boolean reading;
    /** The last chunk, or the last resume: silence is measured from here. */
    private long lastProgressNanos;
    private Timeout idleCheck;

    /**
     * {@code bodiless}: the request announced no body and was not paused (on HTTP/2: its HEADERS frame ended its
     * stream); it counts as ended from the start, and nothing listens to the request (its end, which Vert.x delivers
     * right after the head, would change nothing).
     */
    RequestBody(HttpServerRequest source, boolean bodiless, long replayLimit, TimerWheel timers, long idleMillis) {
        this.source = source;
        this.replayLimit = replayLimit;
        this.timers = timers;
        this.idleMillis = idleMillis;
        if (bodiless) {
            kept = List.of();
            ended = true;
            return;
        }
        kept = new ArrayList<>();
        source.handler(this::onChunk);
        source.endHandler(ignored -> onEnd());
        source.exceptionHandler(this::onClientFailure);
        ended = source.isEnded();
    }

    /** Called when the client's upload breaks (connection closed or reset mid-body). */
    void onClientFailure(Handler<Throwable> handler) {
        this.clientFailureHandler = handler;
    }

    /** Called when the client sends nothing for the idle timeout while the body is being read. */
    void onStall(Runnable handler) {
        this.stallHandler = handler;
    }

    /** Sends everything received so far to {@code next}, then streams the rest as it arrives. */
    void streamTo(BackendRequest next) {
        target = next;
        if (kept != null) {
            for (Buffer chunk : kept) {
                next.write(chunk);
            }
            if (heldPastLimit) {
                kept = null;
            }
        }
        if (ended) {
            next.end();
        } else if (next.writeQueueFull()) {
            waitForDrain(next);
        } else {
            resumeSource();
        }
    }

    /** Stops feeding the current backend request, typically because that try failed. */
    void detach() {
        target = null;
        if (!ended) {
            pauseSource();
        }
    }

    /** True while every byte received so far is still held, so a new try can send the whole body. */
    boolean replayable() {
        return kept != null && !heldPastLimit;
    }

    boolean ended() {
        return ended;
    }

    boolean hasBytes() {
        return bytesReceived > 0;
    }

    /** No more tries will happen: free the copy. */
    void forgetReplay() {
        kept = null;
    }

    /** The exchange is over: nobody waits for the rest. */
    void stopWatching() {
        reading = false;
        if (idleCheck != null) {
            idleCheck.cancel();
            idleCheck = null;
        }
    }

    private void onChunk(Buffer chunk) {
        lastProgressNanos = System.nanoTime();
        bytesReceived += chunk.length();
        BackendRequest current = target;
        if (kept != null) {
            if (bytesReceived <= replayLimit) {
                kept.add(chunk);
            } else if (current == null) {
                kept.add(chunk); // nowhere to send it yet: it must not be lost
                heldPastLimit = true;
            } else {
                kept = null;
            }
        }
        if (current != null) {
            current.write(chunk);
            if (current.writeQueueFull()) {
                waitForDrain(current);
            }
        } else {
            pauseSource(); // no backend request yet: hold the rest back until there is one
        }
    }

    private void waitForDrain(BackendRequest current) {
        pauseSource();
        current.drainHandler(ignored -> {
            if (target == current) {
                resumeSource();
            }
        });
    }

    private void resumeSource() {
        reading = true;
        lastProgressNanos = System.nanoTime();
        if (idleCheck == null) {
            idleCheck = timers.schedule(idleMillis, this::checkIdle);
        }
        source.resume();
    }

    private void pauseSource() {
        reading = false;
        source.pause();
    }

    /**
     * One timeout per body, not one per chunk: when it falls due it looks at how long the client has been silent
     * and sleeps again for the rest. While the body is held back, nothing is due; the next resume re-arms it.
     */
    private void checkIdle() {
        idleCheck = null;
        if (!reading || ended || failure != null) {
            return;
        }
        long silentMillis = (System.nanoTime() - lastProgressNanos) / 1_000_000;
        if (silentMillis >= idleMillis) {
            stallHandler.run();
        } else {
            idleCheck = timers.schedule(idleMillis - silentMillis, this::checkIdle);
        }
    }

    private void onEnd() {
        stopWatching();
        ended = true;
        if (target != null) {
            target.end();
        }
    }

    private void onClientFailure(Throwable cause) {
        stopWatching();
        if (!ended) {
            failure = cause;
            clientFailureHandler.handle(cause);
        }
    }

    boolean failed() {
        return failure != null;
    }
}

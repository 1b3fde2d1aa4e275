package io.lb.proxy;

import java.util.ArrayList;
import java.util.List;

import io.lb.client.BackendRequest;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;

/**
 * The client's request body on its way to a backend. It streams with back-pressure (the client is paused
 * while the backend connection cannot take more) and keeps a copy of what it has seen, up to a limit, so
 * that another try can be sent the same bytes. Past the limit the copy is dropped and the body can no longer
 * be replayed.
 */
final class RequestBody {

    private final HttpServerRequest source;
    private final long replayLimit;
    private List<Buffer> kept = new ArrayList<>(2);
    private long bytesReceived;
    /** Bytes past the replay limit held because no backend request was there to take them yet. */
    private boolean heldPastLimit;
    private boolean ended;
    private Throwable failure;
    private BackendRequest target;
    private Handler<Throwable> clientFailureHandler = failure -> {
    };

    RequestBody(HttpServerRequest source, long replayLimit) {
        this.source = source;
        this.replayLimit = replayLimit;
        source.handler(this::onChunk);
        source.endHandler(ignored -> onEnd());
        source.exceptionHandler(this::onClientFailure);
        ended = source.isEnded();
    }

    /** Called when the client's upload breaks (connection closed or reset mid-body). */
    void onClientFailure(Handler<Throwable> handler) {
        this.clientFailureHandler = handler;
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
            source.resume();
        }
    }

    /** Stops feeding the current backend request, typically because that try failed. */
    void detach() {
        target = null;
        if (!ended) {
            source.pause();
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

    private void onChunk(Buffer chunk) {
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
            source.pause(); // no backend request yet: hold the rest back until there is one
        }
    }

    private void waitForDrain(BackendRequest current) {
        source.pause();
        current.drainHandler(ignored -> {
            if (target == current) {
                source.resume();
            }
        });
    }

    private void onEnd() {
        ended = true;
        if (target != null) {
            target.end();
        }
    }

    private void onClientFailure(Throwable cause) {
        if (!ended) {
            failure = cause;
            clientFailureHandler.handle(cause);
        }
    }

    boolean failed() {
        return failure != null;
    }
}

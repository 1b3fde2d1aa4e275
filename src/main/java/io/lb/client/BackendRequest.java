package io.lb.client;

import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.HostAndPort;

/** One request on its way to a backend: fill the headers, then stream the body; the head leaves with it. */
public interface BackendRequest {

    /** The Host the backend is told; without it, the backend's own host and port. */
    void authority(HostAndPort authority);

    /** Empty until filled; read once the head is written. */
    MultiMap headers();

    void setChunked(boolean chunked);

    void write(Buffer chunk);

    void end();

    boolean writeQueueFull();

    void drainHandler(Handler<Void> handler);

    /**
     * Gives up on the request: its connection is closed, never reused. A response head not yet received is reported
     * as failed with {@code cause} (or a closed-connection failure when null); a response being read reports an
     * exception.
     */
    void reset(Throwable cause);
}

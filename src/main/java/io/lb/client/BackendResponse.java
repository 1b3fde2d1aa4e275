package io.lb.client;

import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpVersion;

/** A backend's response: its head at once, its body as a stream that can be paused. */
public interface BackendResponse {

    int statusCode();

    String statusMessage();

    MultiMap headers();

    /** The trailers that followed the body; empty until the end. */
    MultiMap trailers();

    HttpVersion version();

    void pause();

    void resume();

    void handler(Handler<Buffer> handler);

    void endHandler(Handler<Void> handler);

    /** The connection broke, or the request was reset, before the body's end. */
    void exceptionHandler(Handler<Throwable> handler);
}

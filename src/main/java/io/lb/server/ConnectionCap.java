package io.lb.server;

import java.util.concurrent.atomic.AtomicInteger;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpConnection;

/** {@code quarkus.http.limits.max-connections}: a connection over the cap is closed as soon as it is accepted. */
final class ConnectionCap implements Handler<HttpConnection> {

    private final AtomicInteger open = new AtomicInteger();
    private final int max;

    ConnectionCap(int max) {
        this.max = max;
    }

    @Override
    public void handle(HttpConnection connection) {
        if (open.incrementAndGet() > max) {
            open.decrementAndGet();
            connection.close();
            return;
        }
        connection.closeHandler(closed -> open.decrementAndGet());
    }
}

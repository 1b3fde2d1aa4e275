package io.lb.client;

import io.lb.config.BackendSpec;
import io.vertx.core.http.HttpMethod;

/** Picks the client for a backend: Netty's codec for HTTP/1.1 (plain or TLS), the Vert.x client for HTTP/2. */
public final class BackendClients implements BackendClient {

    private final BackendClient http1;
    private final BackendClient vertx;
    private final boolean http2;

    public BackendClients(BackendClient http1, BackendClient vertx, boolean http2) {
        this.http1 = http1;
        this.vertx = vertx;
        this.http2 = http2;
    }

    @Override
    public void request(BackendSpec backend, HttpMethod method, String uri, RequestListener listener) {
        (http2 ? vertx : http1).request(backend, method, uri, listener);
    }

    @Override
    public void close() {
        http1.close();
        vertx.close();
    }
}

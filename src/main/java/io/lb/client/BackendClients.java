package io.lb.client;

import io.lb.config.BackendSpec;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;

/**
 * Picks the client for a backend: Netty's codec for plain HTTP/1.1, the Vert.x client where it brings what the
 * plain path lacks (TLS with verification and client certificates, HTTP/2).
 */
public final class BackendClients implements BackendClient {

    private final BackendClient plainHttp1;
    private final BackendClient vertx;
    private final boolean http2;

    public BackendClients(BackendClient plainHttp1, BackendClient vertx, boolean http2) {
        this.plainHttp1 = plainHttp1;
        this.vertx = vertx;
        this.http2 = http2;
    }

    @Override
    public Future<BackendRequest> request(BackendSpec backend, HttpMethod method, String uri) {
        return http2 || backend.tls() ? vertx.request(backend, method, uri) : plainHttp1.request(backend, method, uri);
    }

    @Override
    public void close() {
        plainHttp1.close();
        vertx.close();
    }
}

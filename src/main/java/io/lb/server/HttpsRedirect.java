package io.lb.server;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.HostAndPort;

/** {@code quarkus.http.insecure-requests=redirect}: the plain listener sends every request to the HTTPS port. */
final class HttpsRedirect implements Handler<HttpServerRequest> {

    private final BoundPorts ports;

    HttpsRedirect(BoundPorts ports) {
        this.ports = ports;
    }

    @Override
    public void handle(HttpServerRequest request) {
        HostAndPort authority = request.authority();
        String host = authority == null ? "localhost" : authority.host();
        request.response()
                .setStatusCode(301)
                .putHeader(HttpHeaders.LOCATION, "https://" + host + ":" + ports.tls + request.uri())
                .putHeader(HttpHeaders.CONTENT_LENGTH, "0")
                .end();
    }
}

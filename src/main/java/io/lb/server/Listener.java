package io.lb.server;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;

/** One listening socket of the traffic port: plain or TLS, its server options and what answers its requests. */
record Listener(boolean tls, HttpServerOptions options, Handler<HttpServerRequest> handler) {
}

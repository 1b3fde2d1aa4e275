package io.lb.server;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import io.vertx.core.AbstractVerticle;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.http.HttpServer;

/**
 * One instance per event loop, as Quarkus deploys its own server: each binds every listener (Vert.x shares the
 * sockets and spreads accepted connections over the instances). Undeploying closes the servers.
 */
final class ListenerVerticle extends AbstractVerticle {

    private final List<Listener> listeners;
    private final ConnectionCap cap;
    private final BoundPorts ports;
    private final RequestHeadTimeout headTimeout;
    /** Told of every bound TLS server, so that certificate updates of the TLS registry reach it. */
    private final Consumer<HttpServer> tlsServerBound;

    ListenerVerticle(List<Listener> listeners, ConnectionCap cap, BoundPorts ports, RequestHeadTimeout headTimeout,
            Consumer<HttpServer> tlsServerBound) {
        this.listeners = listeners;
        this.cap = cap;
        this.ports = ports;
        this.headTimeout = headTimeout;
        this.tlsServerBound = tlsServerBound;
    }

    @Override
    public void start(Promise<Void> started) {
        List<Future<HttpServer>> bound = new ArrayList<>(listeners.size());
        for (Listener listener : listeners) {
            HttpServer server = new WatchedHttpServer(vertx, listener.options(), headTimeout)
                    .requestHandler(listener.handler());
            if (cap != null) {
                server.connectionHandler(cap);
            }
            bound.add(server.listen().onSuccess(listening -> {
                if (listener.tls()) {
                    ports.tls = listening.actualPort();
                    tlsServerBound.accept(listening);
                } else {
                    ports.plain = listening.actualPort();
                }
            }));
        }
        Future.all(bound).<Void> mapEmpty().onComplete(started);
    }
}

package io.lb.demo;

import java.time.Duration;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;

/**
 * A tiny backend for trying the balancer out: it answers every request with its name after an artificial
 * delay, and can be stopped and started again to watch failover and recovery.
 */
public final class DemoBackend {

    private final Vertx vertx;
    private final String name;
    private final int port;
    private final Duration latency;
    private HttpServer server;

    public DemoBackend(Vertx vertx, String name, int port, Duration latency) {
        this.vertx = vertx;
        this.name = name;
        this.port = port;
        this.latency = latency;
    }

    public String name() {
        return name;
    }

    public int port() {
        return port;
    }

    public synchronized boolean running() {
        return server != null;
    }

    public synchronized Future<Void> start() {
        if (server != null) {
            return Future.succeededFuture();
        }
        HttpServer created = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(port));
        created.requestHandler(request -> {
            request.body().onComplete(ignored -> vertx.setTimer(Math.max(1, latency.toMillis()),
                    id -> request.response()
                            .putHeader("Content-Type", "text/plain; charset=utf-8")
                            .putHeader("X-Backend", name)
                            .end(name + " answered " + request.method() + " " + request.uri() + " after "
                                    + latency.toMillis() + " ms\n")));
        });
        server = created;
        return created.listen().mapEmpty();
    }

    public synchronized Future<Void> stop() {
        if (server == null) {
            return Future.succeededFuture();
        }
        HttpServer stopping = server;
        server = null;
        return stopping.close();
    }
}

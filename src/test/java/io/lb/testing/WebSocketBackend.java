package io.lb.testing;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;

/**
 * A real WebSocket echo server on a random loopback port (on {@link TestBackend}'s own Vert.x): every text or
 * binary message comes back as it was sent. It can refuse upgrades with a status, and be killed with its
 * connections open.
 */
public final class WebSocketBackend implements AutoCloseable {

    private final Set<ServerWebSocket> open = ConcurrentHashMap.newKeySet();
    private volatile int refuseWith;
    private volatile MultiMap lastUpgradeHeaders;
    private HttpServer server;
    private int port;

    public static WebSocketBackend start() {
        WebSocketBackend backend = new WebSocketBackend();
        backend.server = TestBackend.await(TestBackend.vertx().createHttpServer(new HttpServerOptions()
                .setHost("127.0.0.1").setPort(0)).requestHandler(request -> {
                    backend.lastUpgradeHeaders = MultiMap.caseInsensitiveMultiMap().addAll(request.headers());
                    if (backend.refuseWith != 0) {
                        request.response().setStatusCode(backend.refuseWith).end("refused by " + backend.port);
                        return;
                    }
                    request.toWebSocket().onSuccess(backend::echo)
                            .onFailure(failure -> request.response().setStatusCode(400).end());
                }).listen());
        backend.port = backend.server.actualPort();
        return backend;
    }

    private void echo(ServerWebSocket socket) {
        open.add(socket);
        socket.closeHandler(ignored -> open.remove(socket));
        socket.textMessageHandler(socket::writeTextMessage);
        socket.binaryMessageHandler(socket::writeBinaryMessage);
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    /** Answers upgrade requests with {@code status} and a short body instead of switching; 0 accepts again. */
    public void refuseWith(int status) {
        this.refuseWith = status;
    }

    /** The headers of the last upgrade request this backend received, or null. */
    public MultiMap lastUpgradeHeaders() {
        return lastUpgradeHeaders;
    }

    /** WebSocket connections open at this backend right now. */
    public int openSockets() {
        return open.size();
    }

    /** Stops listening and drops every connection, as a crashed process would. */
    public void kill() {
        if (server != null) {
            TestBackend.await(server.close());
            server = null;
        }
    }

    @Override
    public void close() {
        kill();
    }
}

package io.lb.client;

import java.util.HashMap;
import java.util.Map;

import io.lb.config.BackendSpec;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;

/**
 * HTTP/1.1 backends, plain or over TLS, spoken to with Netty's codec on the event loop that serves the client: no
 * futures or pool locks between the two sides (the Vert.x client spent more CPU per request than the rest of the
 * proxy together), and connections reused only when they are clean ({@link BackendConnection}). HTTP/2 backends
 * go through the Vert.x client.
 * <p>
 * Each event loop keeps its own pool per backend, so a connection is only ever touched by one thread.
 */
public final class NettyBackendClient implements BackendClient {

    private final Vertx vertx;
    private final ConnectionSettings settings;
    /** Every connection of every event loop, so that stopping closes them all (a dev-mode reload keeps Vert.x). */
    private final ChannelGroup openChannels = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final ThreadLocal<Map<BackendSpec, ConnectionPool>> pools = ThreadLocal.withInitial(HashMap::new);

    /** {@code tls} is used for {@code https://} backends. */
    public NettyBackendClient(Vertx vertx, int maxConnectionsPerBackend, int maxPendingPerBackend,
            long queueTimeoutMillis, long keepAliveMillis, int connectTimeoutMillis, BackendTls tls,
            ProtocolErrorListener protocolErrors) {
        this.vertx = vertx;
        int eventLoops = 0;
        for (var ignored : vertx.nettyEventLoopGroup()) {
            eventLoops++;
        }
        this.settings = new ConnectionSettings(VertxInternals.transport(vertx), evenShare(maxConnectionsPerBackend, eventLoops),
                evenShare(maxPendingPerBackend, eventLoops), queueTimeoutMillis * 1_000_000, keepAliveMillis,
                connectTimeoutMillis, tls, protocolErrors, openChannels);
    }

    @Override
    public void request(BackendSpec backend, HttpMethod method, String uri, RequestListener listener) {
        Context context = vertx.getOrCreateContext();
        Map<BackendSpec, ConnectionPool> ofThisLoop = pools.get();
        ConnectionPool pool = ofThisLoop.get(backend);
        if (pool == null) {
            pool = new ConnectionPool(backend, VertxInternals.eventLoop(context), settings,
                    empty -> ofThisLoop.remove(backend, empty));
            ofThisLoop.put(backend, pool);
        }
        pool.acquire(context, method, uri, listener);
    }

    /** A per-backend limit divided over the event loops' pools, rounded up. */
    private static int evenShare(int perBackend, int eventLoops) {
        return Math.max(1, (perBackend + eventLoops - 1) / Math.max(1, eventLoops));
    }

    @Override
    public void close() {
        openChannels.close();
    }
}

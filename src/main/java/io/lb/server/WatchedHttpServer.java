package io.lb.server;

import java.util.concurrent.Executor;
import java.util.function.BiConsumer;

import io.lb.client.VertxInternals;
import io.netty.channel.Channel;
import io.netty.handler.traffic.GlobalTrafficShapingHandler;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.impl.HttpServerImpl;
import io.vertx.core.impl.ContextInternal;
import io.vertx.core.impl.VertxInternal;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.net.impl.SslChannelProvider;

/**
 * A Vert.x HTTP server that hands each connection it accepts to {@link RequestHeadTimeout}. The one class of the
 * balancer built on Vert.x internals, because Vert.x 4.5 has no public API for it: no request-header timeout, no
 * hook on a server connection's Netty pipeline, and {@code HttpServer#connectionHandler} is called only once the
 * protocol is known, which on a plain port with h2c enabled (Quarkus' default) is after the first request head is
 * complete: too late to time it. So this overrides {@code TCPServerBase#childHandler}, which every accepted channel
 * goes through, to run the watch after Vert.x's own set-up, and to give the connection the balancer's buffer
 * allocator ({@code VertxInternals#channelAllocator}) before it; nothing else. {@code WatchedHttpServerTest} fails if a
 * Vert.x upgrade changes what this relies on.
 */
final class WatchedHttpServer extends HttpServerImpl {

    private static final Handler<Runnable> RUN = Runnable::run;

    private final RequestHeadTimeout headTimeout;

    WatchedHttpServer(Vertx vertx, HttpServerOptions options, RequestHeadTimeout headTimeout) {
        super((VertxInternal) vertx, options);
        this.headTimeout = headTimeout;
    }

    @Override
    protected BiConsumer<Channel, SslChannelProvider> childHandler(ContextInternal context, SocketAddress address,
            GlobalTrafficShapingHandler trafficShaping) {
        BiConsumer<Channel, SslChannelProvider> vertxSetUp = super.childHandler(context, address, trafficShaping);
        Executor onContext = task -> context.emit(task, RUN);
        return (channel, ssl) -> {
            channel.config().setAllocator(VertxInternals.channelAllocator());
            vertxSetUp.accept(channel, ssl);
            headTimeout.watch(channel, onContext);
        };
    }
}

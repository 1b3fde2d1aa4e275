package io.lb.client;

import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import io.lb.client.BackendClient.RequestListener;
import io.lb.config.BackendSpec;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpRequestEncoder;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.vertx.core.Context;
import io.vertx.core.http.HttpMethod;

/**
 * One event loop's kept-alive connections to one backend: the most recently used idle one first (its socket is
 * the least likely to have been closed by the backend), a new one while under the limit, otherwise a wait in
 * line for the next connection handed back, unless the line is full: then the try fails at once.
 */
final class ConnectionPool {

    private final BackendSpec backend;
    private final EventLoop eventLoop;
    private final ConnectionSettings settings;
    /** Called once the pool holds nothing (no connection, nobody waiting): it can be forgotten. */
    private final Consumer<ConnectionPool> onEmpty;
    private boolean sweepScheduled;
    private final ArrayDeque<BackendConnection> idle = new ArrayDeque<>();
    private final ArrayDeque<Waiter> waiting = new ArrayDeque<>();
    /** Connected and connecting. */
    private int open;

    ConnectionPool(BackendSpec backend, EventLoop eventLoop, ConnectionSettings settings,
            Consumer<ConnectionPool> onEmpty) {
        this.backend = backend;
        this.eventLoop = eventLoop;
        this.settings = settings;
        this.onEmpty = onEmpty;
    }

    /**
     * Starts the request on a connection: at once on an idle one, otherwise when a new one is ready or one is handed
     * back, on the request's context.
     */
    void acquire(Context context, HttpMethod method, String uri, RequestListener listener) {
        BackendConnection connection;
        while ((connection = idle.pollFirst()) != null) {
            if (connection.usable()) {
                listener.connected(connection.start(context, method, uri, listener));
                return;
            }
            connection.close();
        }
        if (open < settings.maxPerEventLoop()) {
            connect(new Waiter(context, method, uri, listener, 0));
            return;
        }
        long now = System.nanoTime();
        dropExpiredWaiters(now);
        if (waiting.size() >= settings.maxPendingPerEventLoop()) {
            listener.connectFailed(new QueueFullException(settings.maxPendingPerEventLoop()));
            return;
        }
        waiting.addLast(new Waiter(context, method, uri, listener, now));
    }

    /** The exchange on {@code connection} is over and the connection may carry another. */
    void release(BackendConnection connection) {
        long now = System.nanoTime();
        dropExpiredWaiters(now);
        Waiter next = waiting.pollFirst();
        if (next != null) {
            next.handOver(connection);
        } else {
            connection.idleSince(now);
            idle.addFirst(connection);
            scheduleSweep();
        }
    }

    /** The connection closed (or never opened): a waiter gets a new one. */
    void closed(BackendConnection connection) {
        open--;
        idle.remove(connection);
        dropExpiredWaiters(System.nanoTime());
        Waiter next = waiting.pollFirst();
        if (next != null) {
            connect(next);
        } else if (open == 0) {
            onEmpty.accept(this);
        }
    }

    /**
     * Waiters past the longest per-try timeout have given up already (their try failed as a queue timeout): they
     * leave the line, so that it counts only tries still waiting. The line is in arrival order, so they are at its
     * head. The failure reaches a try only if its own timer has not fired yet, and says the same.
     */
    private void dropExpiredWaiters(long now) {
        Waiter oldest;
        while ((oldest = waiting.peekFirst()) != null && now - oldest.sinceNanos() >= settings.queueTimeoutNanos()) {
            waiting.pollFirst();
            oldest.fail(new QueueTimeoutException());
        }
    }

    /**
     * Idle connections are closed once kept for {@code lb.client.keep-alive-timeout}: one task per pool, not a
     * timer per connection, due when the longest-idle connection expires, and only while there are idle ones.
     */
    private void scheduleSweep() {
        if (!sweepScheduled) {
            sweepScheduled = true;
            eventLoop.schedule(this::sweep, settings.keepAliveMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private void sweep() {
        sweepScheduled = false;
        BackendConnection longestIdle;
        // released connections go to the front: the back holds the longest idle
        while ((longestIdle = idle.peekLast()) != null && !longestIdle.usable()) {
            idle.pollLast();
            longestIdle.close();
        }
        if (longestIdle != null) {
            sweepScheduled = true;
            long dueNanos = longestIdle.idleSinceNanos() + keepAliveNanos() - System.nanoTime();
            eventLoop.schedule(this::sweep, Math.max(1, dueNanos), TimeUnit.NANOSECONDS);
        }
    }

    private void connect(Waiter waiter) {
        open++;
        if (!backend.tls()) {
            connect(waiter, null);
            return;
        }
        CompletableFuture<SslContext> tls = settings.tls().prepare();
        SslContext ready = tls.getNow(null);
        if (ready != null) {
            connect(waiter, ready);
            return;
        }
        tls.whenComplete((context, failure) -> eventLoop.execute(() -> {
            if (failure != null) {
                closed(null);
                waiter.fail(failure);
            } else {
                connect(waiter, context);
            }
        }));
    }

    private void connect(Waiter waiter, SslContext tls) {
        BackendConnection connection = new BackendConnection(this, backend, settings.protocolErrors());
        ChannelFuture connecting = new Bootstrap()
                .group(eventLoop)
                .channelFactory(settings.transport().channelFactory(false))
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.ALLOCATOR, VertxInternals.channelAllocator())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, settings.connectTimeoutMillis())
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel channel) {
                        if (tls != null) {
                            channel.pipeline().addLast(settings.tls().newHandler(tls, channel.alloc(), backend));
                        }
                        ResponseDecoder decoder = new ResponseDecoder(connection);
                        connection.decoder(decoder);
                        channel.pipeline().addLast(new HttpRequestEncoder(), new UnexpectedBytesGuard(connection),
                                decoder, connection);
                    }
                })
                .connect(backend.host(), backend.port());
        connecting.addListener(done -> {
            if (!done.isSuccess()) {
                connection.reportClosed();
                waiter.fail(done.cause());
                return;
            }
            settings.openChannels().add(connecting.channel());
            if (tls == null) {
                waiter.handOver(connection);
                return;
            }
            // a try starts on a connection whose handshake is done: a refused certificate is a connect failure
            connecting.channel().pipeline().get(SslHandler.class).handshakeFuture().addListener(handshake -> {
                if (handshake.isSuccess()) {
                    waiter.handOver(connection);
                } else {
                    connection.close();
                    waiter.fail(handshake.cause());
                }
            });
        });
    }

    long keepAliveNanos() {
        return settings.keepAliveMillis() * 1_000_000;
    }

    /**
     * A request waiting for a connection, told on its own context (a connection is handed over from a Netty
     * listener, or from another exchange's end, on the same event loop).
     */
    private record Waiter(Context context, HttpMethod method, String uri, RequestListener listener, long sinceNanos) {

        void handOver(BackendConnection connection) {
            VertxInternals.emit(context, connection,
                    ready -> listener.connected(ready.start(context, method, uri, listener)));
        }

        void fail(Throwable cause) {
            VertxInternals.emit(context, cause, listener::connectFailed);
        }
    }
}

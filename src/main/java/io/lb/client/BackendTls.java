package io.lb.client;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;

import io.lb.config.BackendSpec;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.vertx.core.Vertx;
import io.vertx.core.net.ClientOptionsBase;

/**
 * TLS towards {@code https://} HTTP/1.1 backends, from the same trust and key options the Vert.x client is given
 * (so {@code lb.client.tls.*} means one thing on every path): the backend's certificate is verified against
 * them, and its host name too unless verification is off. The engine is {@link TlsEngine}'s (OpenSSL where it
 * loads). One context serves every connection, so sessions are resumed across them (per backend host and port). It is loaded once, off the event loops, when a TLS backend first needs it (or at start-up
 * when one is configured).
 */
public final class BackendTls {

    private final Callable<SslContext> build;
    private final boolean verifyHost;
    private final long handshakeTimeoutMillis;
    private CompletableFuture<SslContext> context;

    private BackendTls(Callable<SslContext> build, boolean verifyHost, long handshakeTimeoutMillis) {
        this.build = build;
        this.verifyHost = verifyHost;
        this.handshakeTimeoutMillis = handshakeTimeoutMillis;
    }

    /** {@code options} as {@code BackendClientProducer.applyTls} filled them. Nothing is loaded yet. */
    public static BackendTls of(Vertx vertx, ClientOptionsBase options, boolean verifyHost,
            long handshakeTimeoutMillis) {
        Callable<SslContext> build = () -> {
            SslContextBuilder builder = SslContextBuilder.forClient().sslProvider(TlsEngine.nettyProvider());
            if (options.isTrustAll()) {
                builder.trustManager(InsecureTrustManagerFactory.INSTANCE);
            } else if (options.getTrustOptions() != null) {
                builder.trustManager(options.getTrustOptions().getTrustManagerFactory(vertx));
            }
            if (options.getKeyCertOptions() != null) {
                builder.keyManager(options.getKeyCertOptions().getKeyManagerFactory(vertx));
            }
            return builder.build();
        };
        return new BackendTls(build, verifyHost && !options.isTrustAll(), handshakeTimeoutMillis);
    }

    /**
     * Starts loading the trust and key material on a thread of its own (it takes hundreds of milliseconds, which
     * neither start-up nor an event loop should wait for), unless that has begun already.
     */
    public synchronized CompletableFuture<SslContext> prepare() {
        if (context == null) {
            context = new CompletableFuture<>();
            Thread loader = new Thread(() -> {
                try {
                    context.complete(build.call());
                } catch (Exception | LinkageError e) {
                    context.completeExceptionally(new SSLException(
                            "TLS towards backends cannot be set up: " + e.getMessage(), e));
                }
            }, "backend-tls-loader");
            loader.setDaemon(true);
            loader.start();
        }
        return context;
    }

    /** A client-side handler for one connection to {@code backend}, with SNI and host-name verification. */
    SslHandler newHandler(SslContext ready, ByteBufAllocator allocator, BackendSpec backend) {
        SslHandler handler = ready.newHandler(allocator, backend.host(), backend.port());
        if (verifyHost) {
            SSLEngine engine = handler.engine();
            SSLParameters parameters = engine.getSSLParameters();
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            engine.setSSLParameters(parameters);
        }
        handler.setHandshakeTimeoutMillis(handshakeTimeoutMillis);
        return handler;
    }
}

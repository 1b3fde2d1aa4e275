package io.lb.client;

import java.util.concurrent.atomic.AtomicBoolean;

import org.jboss.logging.Logger;

import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslProvider;
import io.vertx.core.net.SSLEngineOptions;

/**
 * The TLS implementation of every TLS connection the balancer makes or accepts: OpenSSL (BoringSSL, from
 * {@code netty-tcnative-boringssl-static}) where its native library loads, which costs a fraction of the JDK
 * engine's CPU per handshake and per record; the JDK's engine where it does not (another platform than Linux
 * x86-64, a native image built without it, {@code -Dio.netty.handler.ssl.noOpenSsl=true}). The choice is Netty's
 * {@link OpenSsl#isAvailable()}, made once per process the first time a TLS context is built, and logged then.
 */
public final class TlsEngine {

    private static final Logger LOG = Logger.getLogger(TlsEngine.class);
    private static final AtomicBoolean ANNOUNCED = new AtomicBoolean();

    private TlsEngine() {
    }

    /** Whether OpenSSL is in use. */
    public static boolean openSsl() {
        return OpenSsl.isAvailable();
    }

    /** For a Vert.x server or client: the engine is chosen when Vert.x first builds a TLS context. */
    public static SSLEngineOptions vertxOptions() {
        return new TlsEngineOptions();
    }

    /**
     * Loads the engine and logs which it is, unless done already: at start-up, for a TLS listener, whose context
     * Vert.x builds on an event loop when the first client connects (loading the native library takes about
     * 100 ms of CPU).
     */
    public static void load() {
        announce();
    }

    /** For a Netty {@code SslContextBuilder}; loads the native library on first use ({@code BackendTls.prepare} does
     * that off the event loops at start-up when a backend is {@code https://}). */
    static SslProvider nettyProvider() {
        announce();
        return openSsl() ? SslProvider.OPENSSL : SslProvider.JDK;
    }

    /** What {@link #openSsl()} means, in words, for the log and the docs. */
    public static String description() {
        if (openSsl()) {
            return "OpenSSL (" + OpenSsl.versionString() + ", netty-tcnative)";
        }
        Throwable cause = OpenSsl.unavailabilityCause();
        return "the JDK's (OpenSSL did not load: " + (cause == null ? "unknown" : cause.getMessage()) + ")";
    }

    private static void announce() {
        if (ANNOUNCED.compareAndSet(false, true)) {
            if (openSsl()) {
                LOG.infof("TLS engine: %s", description());
            } else {
                LOG.warnf("TLS engine: %s", description());
            }
        }
    }
}

package io.lb.client;

import java.util.List;
import java.util.Set;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSslCachingX509KeyManagerFactory;
import io.netty.handler.ssl.OpenSslServerSessionContext;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslProvider;
import io.vertx.core.net.SSLEngineOptions;
import io.vertx.core.spi.tls.DefaultSslContextFactory;
import io.vertx.core.spi.tls.SslContextFactory;

/**
 * Vert.x engine options that pick {@link TlsEngine}'s engine when Vert.x builds a TLS context, not when the options
 * are made: a balancer without TLS never loads the native library (about 100 ms of start-up CPU), and one whose
 * first {@code https://} backend is added at run time gets OpenSSL all the same. Vert.x' own
 * {@code OpenSSLEngineOptions} would have to be chosen up front, and fails where OpenSSL does not load.
 * <p>
 * With OpenSSL, session tickets are on for every protocol version on the server side, and the session cache too
 * (as Vert.x' OpenSSL options have it). Netty turns tickets off for TLS 1.2 (for the JDK engine's sake) and
 * BoringSSL resumes TLS 1.3 sessions only by ticket; given no keys, BoringSSL makes and rotates the ticket keys
 * itself. The servers that Vert.x runs on the event loops share one context, so a ticket from one loop resumes on
 * another. Clients resume from Netty's own session cache, per host and port.
 * <p>
 * OpenSSL asks for the certificate and key on every handshake, resumed ones too; without a cache Netty converts
 * them from their Java form each time (PEM encoding, then parsing in native code). {@link OpenSslCachingX509KeyManagerFactory} converts them once per alias. A certificate update
 * builds a new context with a new key manager, so a cached key never outlives its certificate.
 */
final class TlsEngineOptions extends SSLEngineOptions {

    TlsEngineOptions() {
    }

    private TlsEngineOptions(TlsEngineOptions other) {
        super(other);
    }

    @Override
    public TlsEngineOptions copy() {
        return new TlsEngineOptions(this);
    }

    @Override
    public SslContextFactory sslContextFactory() {
        if (TlsEngine.nettyProvider() == SslProvider.OPENSSL) {
            return new OpenSslWithTickets(new DefaultSslContextFactory(SslProvider.OPENSSL, true));
        }
        return new DefaultSslContextFactory(SslProvider.JDK, false);
    }

    /** Builds what the factory builds with the key material cached, then turns tickets on in a server context. */
    private static final class OpenSslWithTickets implements SslContextFactory {

        private final SslContextFactory factory;

        OpenSslWithTickets(SslContextFactory factory) {
            this.factory = factory;
        }

        @Override
        public SslContext create() throws SSLException {
            SslContext context = factory.create();
            if (context.isServer() && context.sessionContext() instanceof OpenSslServerSessionContext sessions) {
                sessions.setTicketKeys();
            }
            return context;
        }

        @Override
        public SslContextFactory useAlpn(boolean useAlpn) {
            factory.useAlpn(useAlpn);
            return this;
        }

        @Override
        public SslContextFactory clientAuth(ClientAuth clientAuth) {
            factory.clientAuth(clientAuth);
            return this;
        }

        @Override
        public SslContextFactory forClient(boolean forClient) {
            factory.forClient(forClient);
            return this;
        }

        @Override
        public SslContextFactory keyMananagerFactory(KeyManagerFactory kmf) {
            factory.keyMananagerFactory(kmf == null ? null : new OpenSslCachingX509KeyManagerFactory(kmf));
            return this;
        }

        @Override
        public SslContextFactory trustManagerFactory(TrustManagerFactory tmf) {
            factory.trustManagerFactory(tmf);
            return this;
        }

        @Override
        public SslContextFactory enabledCipherSuites(Set<String> enabledCipherSuites) {
            factory.enabledCipherSuites(enabledCipherSuites);
            return this;
        }

        @Override
        public SslContextFactory applicationProtocols(List<String> applicationProtocols) {
            factory.applicationProtocols(applicationProtocols);
            return this;
        }

        @Override
        public SslContextFactory serverName(String serverName) {
            factory.serverName(serverName);
            return this;
        }
    }
}

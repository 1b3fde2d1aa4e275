package io.lb.client;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Named;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import io.lb.config.InvalidConfigException;
import io.lb.config.LbConfig;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.tls.TlsConfiguration;
import io.quarkus.tls.TlsConfigurationRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientBuilder;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.net.PemTrustOptions;

/**
 * The HTTP clients that carry all proxied traffic, pooled and kept alive per backend: one for requests (HTTP/1.1
 * or HTTP/2 as {@code lb.client.protocol} says) and one, always HTTP/1.1, for WebSocket upgrades. Both verify
 * backends' certificates unless told otherwise.
 */
@ApplicationScoped
public class BackendClientProducer {

    public static final String NAME = "backend-client";
    /** HTTP/1.1 only: the client that carries {@code Upgrade} requests (WebSocket tunnels). */
    public static final String UPGRADE_NAME = "backend-upgrade-client";

    private static final Logger LOG = Logger.getLogger(BackendClientProducer.class);

    @Produces
    @Singleton
    @Named(NAME)
    HttpClient backendClient(Vertx vertx, LbConfig config, Instance<TlsConfigurationRegistry> tlsRegistry) {
        boolean http2 = config.client().protocol() == LbConfig.BackendProtocol.H2C;
        HttpClientOptions options = baseOptions(config, tlsRegistry);
        if (http2) {
            // prior knowledge: no HTTP/1.1 Upgrade round trip on cleartext; ALPN negotiates h2 over TLS
            options.setProtocolVersion(HttpVersion.HTTP_2)
                    .setHttp2ClearTextUpgrade(false)
                    .setUseAlpn(true);
        }
        // A full wait queue fails the request with ConnectionPoolTooBusyException (a QUEUE_FULL try). Tries that
        // gave up waiting stay in Vert.x' queue until a connection comes, and count against it meanwhile.
        return quiet(vertx.httpClientBuilder().with(options)
                .with(pool(config).setMaxWaitQueueSize(config.client().maxPendingPerBackend())));
    }

    /**
     * What proxied requests are sent with: Netty's codec on the serving event loop for HTTP/1.1 backends (plain or
     * TLS, with the same trust settings as the Vert.x clients), the Vert.x client above for HTTP/2 ones.
     */
    @Produces
    @Singleton
    BackendClient proxyClient(Vertx vertx, @Named(NAME) HttpClient backendClient, LbConfig config,
            Instance<TlsConfigurationRegistry> tlsRegistry, ProtocolErrorListener protocolErrors) {
        HttpClientOptions tlsOptions = baseOptions(config, tlsRegistry);
        BackendTls tls = BackendTls.of(vertx, tlsOptions, tlsOptions.isVerifyHost(),
                config.timeout().connect().toMillis());
        if (config.backends().orElse(List.of()).stream().anyMatch(url -> url.strip().startsWith("https://"))
                || config.pools().values().stream().flatMap(pool -> pool.backends().orElse(List.of()).stream())
                        .anyMatch(url -> url.strip().startsWith("https://"))) {
            tls.prepare(); // loads in the background while the rest starts
        }
        BackendClient http1 = new NettyBackendClient(vertx, config.client().maxConnectionsPerBackend(),
                config.client().maxPendingPerBackend(), config.timeout().response().toMillis(),
                config.client().keepAliveTimeout().toMillis(), (int) config.timeout().connect().toMillis(), tls,
                protocolErrors);
        return new BackendClients(http1, new VertxBackendClient(backendClient),
                config.client().protocol() == LbConfig.BackendProtocol.H2C);
    }

    @Produces
    @Singleton
    @Named(UPGRADE_NAME)
    HttpClient upgradeClient(Vertx vertx, LbConfig config, Instance<TlsConfigurationRegistry> tlsRegistry) {
        return quiet(vertx.httpClientBuilder().with(baseOptions(config, tlsRegistry)).with(pool(config)));
    }

    /**
     * A backend that dies resets its idle pooled connections; Vert.x would log each at ERROR. The exchanges
     * that meet such a failure handle it (retry, passive health, metrics), so idle-connection errors are DEBUG.
     */
    private static HttpClient quiet(HttpClientBuilder builder) {
        return builder.withConnectHandler(connection -> connection.exceptionHandler(
                failure -> LOG.debugf("backend connection %s: %s", connection.remoteAddress(), failure.getMessage())))
                .build();
    }

    /**
     * The clients are created on first use; their configuration is checked at startup instead, so that a missing
     * trust file or TLS configuration fails the deployment, not the first request. The insecure switch is
     * announced here, once.
     */
    void checkAtStartup(@Observes StartupEvent event, LbConfig config, Instance<TlsConfigurationRegistry> tlsRegistry) {
        HttpClientOptions checked = new HttpClientOptions();
        applyTls(checked, config.client().tls(), tlsRegistry);
        if (checked.isTrustAll()) {
            LOG.warn("INSECURE: backends' TLS certificates and host names are NOT verified (lb.client.tls.trust-all"
                    + " or the trust-all of lb.client.tls.configuration-name): anyone between the balancer and an"
                    + " https:// backend can read and change its traffic");
        }
    }

    void close(@Disposes @Named(NAME) HttpClient client) {
        client.close();
    }

    void closeProxyClient(@Disposes BackendClient client) {
        client.close();
    }

    void closeUpgrade(@Disposes @Named(UPGRADE_NAME) HttpClient client) {
        client.close();
    }

    private static HttpClientOptions baseOptions(LbConfig config, Instance<TlsConfigurationRegistry> tlsRegistry) {
        HttpClientOptions options = new HttpClientOptions()
                .setKeepAlive(true)
                .setKeepAliveTimeout(Math.max(1, (int) config.client().keepAliveTimeout().toSeconds()))
                .setPipelining(false)
                .setTcpNoDelay(true)
                .setConnectTimeout((int) config.timeout().connect().toMillis())
                .setDecompressionSupported(false)
                .setVerifyHost(true);
        applyTls(options, config.client().tls(), tlsRegistry);
        return options;
    }

    /**
     * Backend certificates are verified, host name included: by default against the JDK's trust store, or
     * against the configured PEM files or named TLS configuration. {@code trust-all} switches that off. The engine
     * is {@link TlsEngine}'s.
     */
    public static void applyTls(HttpClientOptions options, LbConfig.ClientTls tls,
            Instance<TlsConfigurationRegistry> tlsRegistry) {
        options.setSslEngineOptions(TlsEngine.vertxOptions());
        if (tls.configurationName().isPresent()) {
            String name = tls.configurationName().get();
            TlsConfiguration named = tlsRegistry.isResolvable() ? tlsRegistry.get().get(name).orElse(null) : null;
            if (named == null) {
                throw new InvalidConfigException("lb.client.tls.configuration-name: invalid value '" + name
                        + "': no TLS configuration of that name (quarkus.tls." + name + ".*)");
            }
            if (named.getTrustStoreOptions() != null) {
                options.setTrustOptions(named.getTrustStoreOptions());
            }
            if (named.getKeyStoreOptions() != null) {
                options.setKeyCertOptions(named.getKeyStoreOptions()); // client certificate (mutual TLS)
            }
            if (named.isTrustAll()) {
                options.setTrustAll(true).setVerifyHost(false);
            }
        }
        tls.trustCertificateFiles().filter(files -> !files.isEmpty()).ifPresent(files -> {
            PemTrustOptions pem = new PemTrustOptions();
            for (String file : files) {
                if (!java.nio.file.Files.isReadable(java.nio.file.Path.of(file))) {
                    throw new InvalidConfigException("lb.client.tls.trust-certificate-files: invalid value '" + file
                            + "': no readable file there");
                }
                pem.addCertPath(file);
            }
            options.setTrustOptions(pem);
        });
        if (tls.trustAll()) {
            options.setTrustAll(true).setVerifyHost(false);
        }
    }

    private static PoolOptions pool(LbConfig config) {
        return new PoolOptions()
                .setHttp1MaxSize(config.client().maxConnectionsPerBackend())
                .setHttp2MaxSize(Math.max(1, config.client().maxConnectionsPerBackend() / 100));
    }
}

package io.lb.server;

import java.io.IOException;
import java.util.List;
import java.util.OptionalInt;

import jakarta.enterprise.inject.spi.CDI;

import org.eclipse.microprofile.config.ConfigProvider;

import io.lb.config.InvalidConfigException;
import io.quarkus.runtime.LaunchMode;
import io.quarkus.tls.TlsConfigurationRegistry;
import io.quarkus.tls.runtime.config.TlsConfig;
import io.quarkus.vertx.http.runtime.HttpCertificateUpdateEventListener;
import io.quarkus.vertx.http.runtime.VertxHttpBuildTimeConfig;
import io.quarkus.vertx.http.runtime.VertxHttpConfig;
import io.quarkus.vertx.http.runtime.options.HttpServerOptionsUtils;
import io.quarkus.vertx.http.runtime.options.HttpServerTlsConfig;
import io.smallrye.config.SmallRyeConfig;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;

/**
 * The one class that reads Quarkus' HTTP server through its runtime classes rather than a public API. Quarkus has
 * no public API that turns {@code quarkus.http.*} into {@link HttpServerOptions} for a server the application
 * starts itself ({@code HttpServerOptionsCustomizer} only adjusts Quarkus' own listener, which is off here), nor
 * one that subscribes such a server to certificate updates of the TLS registry. So this class uses Quarkus' own
 * option builders ({@link HttpServerOptionsUtils}, {@link HttpServerTlsConfig}), its configuration mappings and its
 * {@link HttpCertificateUpdateEventListener}, and nothing else in the balancer does. {@code QuarkusHttpSettingsTest}
 * fails when an upgrade changes what they give.
 */
final class QuarkusHttpSettings {

    /** What the plain listener does ({@code quarkus.http.insecure-requests}). */
    enum PlainListener {
        SERVE, REDIRECT, OFF
    }

    private final VertxHttpConfig http;
    private final VertxHttpBuildTimeConfig build;
    private final LaunchMode mode;

    private QuarkusHttpSettings(VertxHttpConfig http, VertxHttpBuildTimeConfig build, LaunchMode mode) {
        this.http = http;
        this.build = build;
        this.mode = mode;
    }

    static QuarkusHttpSettings current() {
        SmallRyeConfig config = ConfigProvider.getConfig().unwrap(SmallRyeConfig.class);
        return new QuarkusHttpSettings(config.getConfigMapping(VertxHttpConfig.class),
                config.getConfigMapping(VertxHttpBuildTimeConfig.class), LaunchMode.current());
    }

    /** {@code quarkus.http.host-enabled}: Quarkus' own listener serves the traffic port. */
    boolean quarkusListenerOn() {
        return http.hostEnabled();
    }

    /**
     * Settings that only Quarkus' own listener (its router and wrappers) honours: silently ignoring one would
     * surprise whoever set it, so startup fails and names it. ({@code quarkus.http.access-log.enabled} turns on
     * the balancer's own access log, io.lb.accesslog.)
     */
    void refuseWhatOnlyQuarkusListenerDoes() {
        if (http.ssl().certificate().reloadPeriod().isPresent()) {
            refuse("quarkus.http.ssl.certificate.reload-period", http.ssl().certificate().reloadPeriod().get());
        }
        if (http.domainSocketEnabled()) {
            refuse("quarkus.http.domain-socket-enabled", "true");
        }
        if (!build.rootPath().equals("/")) {
            refuse("quarkus.http.root-path", build.rootPath());
        }
        if (!http.header().isEmpty()) {
            refuse("quarkus.http.header.*", http.header().keySet());
        }
        if (!http.filter().isEmpty()) {
            refuse("quarkus.http.filter.*", http.filter().keySet());
        }
    }

    private static void refuse(String key, Object value) {
        throw new InvalidConfigException(key + ": invalid value '" + value + "': the balancer's own traffic listener"
                + " does not support it; set quarkus.http.host-enabled=true to serve the traffic port with Quarkus'"
                + " listener, at some CPU per request");
    }

    PlainListener plainListener() {
        return switch (HttpServerOptionsUtils.getInsecureRequestStrategy(http, build, mode)) {
            case ENABLED -> PlainListener.SERVE;
            case REDIRECT -> PlainListener.REDIRECT;
            case DISABLED -> PlainListener.OFF;
        };
    }

    /** The plain listener's options: port (a random one for 0), TCP, HTTP/2, limits and idle timeout. */
    HttpServerOptions plainOptions() {
        HttpServerOptions plain = new HttpServerOptions();
        int port = http.determinePort(mode);
        plain.setPort(port == 0 ? HttpServerOptionsUtils.RANDOM_PORT_MAIN_HTTP : port);
        HttpServerOptionsUtils.applyCommonOptions(plain, build, http, List.of());
        return plain;
    }

    /** The TLS listener's options, or null when no certificate is configured (as Quarkus decides). */
    HttpServerOptions tlsOptions(TlsConfigurationRegistry registry) throws IOException {
        HttpServerOptions tls = HttpServerOptionsUtils.createSslOptions(build, new ListenerOnHttpConfig(http), mode,
                List.of(), registry);
        return tls == null || tls.getKeyCertOptions() == null ? null : tls;
    }

    /** {@code quarkus.http.limits.max-connections}. */
    OptionalInt maxConnections() {
        return http.limits().maxConnections();
    }

    /** {@code quarkus.http.io-threads}. */
    OptionalInt ioThreads() {
        return http.ioThreads();
    }

    /** Certificate updates of the TLS registry (its reload period, or a CertificateUpdatedEvent) reach the server. */
    void followCertificateUpdates(HttpServer server) {
        String name = HttpServerTlsConfig.getHttpServerTlsConfigName(http, build, mode).orElse(TlsConfig.DEFAULT_NAME);
        CDI.current().select(HttpCertificateUpdateEventListener.class).get().register(server, name, "traffic port");
    }
}

package io.lb.server;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

import io.quarkus.vertx.http.runtime.AccessLogConfig;
import io.quarkus.vertx.http.runtime.AuthRuntimeConfig;
import io.quarkus.vertx.http.runtime.BodyConfig;
import io.quarkus.vertx.http.runtime.FilterConfig;
import io.quarkus.vertx.http.runtime.HeaderConfig;
import io.quarkus.vertx.http.runtime.ProxyConfig;
import io.quarkus.vertx.http.runtime.SameSiteCookieConfig;
import io.quarkus.vertx.http.runtime.ServerLimitsConfig;
import io.quarkus.vertx.http.runtime.ServerSslConfig;
import io.quarkus.vertx.http.runtime.StaticResourcesConfig;
import io.quarkus.vertx.http.runtime.TrafficShapingConfig;
import io.quarkus.vertx.http.runtime.VertxHttpConfig;
import io.quarkus.vertx.http.runtime.WebsocketServerConfig;
import io.quarkus.vertx.http.runtime.cors.CORSConfig;

/**
 * The {@code quarkus.http.*} settings as they are, except that Quarkus' own listener reads as on: Quarkus' TLS
 * option builder returns nothing for a listener that is off, and the balancer's is built while Quarkus' is off.
 * A method that a Quarkus upgrade adds to {@link VertxHttpConfig} fails compilation here, and
 * {@code QuarkusHttpSettingsTest} checks that every other answer is the real one.
 */
final class ListenerOnHttpConfig implements VertxHttpConfig {

    private final VertxHttpConfig settings;

    ListenerOnHttpConfig(VertxHttpConfig settings) {
        this.settings = settings;
    }

    @Override
    public boolean hostEnabled() {
        return true;
    }

    @Override
    public AuthRuntimeConfig auth() {
        return settings.auth();
    }

    @Override
    public int port() {
        return settings.port();
    }

    @Override
    public int testPort() {
        return settings.testPort();
    }

    @Override
    public String host() {
        return settings.host();
    }

    @Override
    public Optional<String> testHost() {
        return settings.testHost();
    }

    @Override
    public int sslPort() {
        return settings.sslPort();
    }

    @Override
    public int testSslPort() {
        return settings.testSslPort();
    }

    @Override
    public Optional<Boolean> testSslEnabled() {
        return settings.testSslEnabled();
    }

    @Override
    public Optional<InsecureRequests> insecureRequests() {
        return settings.insecureRequests();
    }

    @Override
    public boolean http2() {
        return settings.http2();
    }

    @Override
    public boolean http2PushEnabled() {
        return settings.http2PushEnabled();
    }

    @Override
    public OptionalInt http2ConnectionWindowSize() {
        return settings.http2ConnectionWindowSize();
    }

    @Override
    public CORSConfig cors() {
        return settings.cors();
    }

    @Override
    public ServerSslConfig ssl() {
        return settings.ssl();
    }

    @Override
    public Optional<String> tlsConfigurationName() {
        return settings.tlsConfigurationName();
    }

    @Override
    public StaticResourcesConfig staticResources() {
        return settings.staticResources();
    }

    @Override
    public boolean handle100ContinueAutomatically() {
        return settings.handle100ContinueAutomatically();
    }

    @Override
    public OptionalInt ioThreads() {
        return settings.ioThreads();
    }

    @Override
    public ServerLimitsConfig limits() {
        return settings.limits();
    }

    @Override
    public Duration idleTimeout() {
        return settings.idleTimeout();
    }

    @Override
    public Duration readTimeout() {
        return settings.readTimeout();
    }

    @Override
    public BodyConfig body() {
        return settings.body();
    }

    @Override
    public Optional<String> encryptionKey() {
        return settings.encryptionKey();
    }

    @Override
    public boolean soReusePort() {
        return settings.soReusePort();
    }

    @Override
    public boolean tcpQuickAck() {
        return settings.tcpQuickAck();
    }

    @Override
    public boolean tcpCork() {
        return settings.tcpCork();
    }

    @Override
    public boolean tcpFastOpen() {
        return settings.tcpFastOpen();
    }

    @Override
    public int acceptBacklog() {
        return settings.acceptBacklog();
    }

    @Override
    public OptionalInt initialWindowSize() {
        return settings.initialWindowSize();
    }

    @Override
    public String domainSocket() {
        return settings.domainSocket();
    }

    @Override
    public boolean domainSocketEnabled() {
        return settings.domainSocketEnabled();
    }

    @Override
    public boolean recordRequestStartTime() {
        return settings.recordRequestStartTime();
    }

    @Override
    public AccessLogConfig accessLog() {
        return settings.accessLog();
    }

    @Override
    public TrafficShapingConfig trafficShaping() {
        return settings.trafficShaping();
    }

    @Override
    public Map<String, SameSiteCookieConfig> sameSiteCookie() {
        return settings.sameSiteCookie();
    }

    @Override
    public Optional<PayloadHint> unhandledErrorContentTypeDefault() {
        return settings.unhandledErrorContentTypeDefault();
    }

    @Override
    public Map<String, HeaderConfig> header() {
        return settings.header();
    }

    @Override
    public Map<String, FilterConfig> filter() {
        return settings.filter();
    }

    @Override
    public ProxyConfig proxy() {
        return settings.proxy();
    }

    @Override
    public WebsocketServerConfig websocketServer() {
        return settings.websocketServer();
    }
}

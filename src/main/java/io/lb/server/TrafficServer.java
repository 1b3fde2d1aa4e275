package io.lb.server;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.interceptor.Interceptor;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.lb.config.LbConfig;
import io.lb.metrics.Rejections;
import io.lb.proxy.Proxy;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.tls.TlsConfigurationRegistry;
import io.quarkus.value.registry.ValueRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;

/**
 * Serves the traffic port with Vert.x HTTP servers of the balancer's own that hand every request straight to the
 * proxy. Quarkus' HTTP server would put its router, a routing context, request wrappers and its graceful-shutdown
 * filter in front of every request: about a sixth of the balancer's user CPU per request (docs/benchmarks.md).
 * Its listener is switched off ({@code quarkus.http.host-enabled=false}); this one is configured from the same
 * {@code quarkus.http.*} settings through Quarkus' own option builders ({@link QuarkusHttpSettings}), so ports,
 * TLS, HTTP/2, limits and idle timeouts keep their meaning, and TLS-registry certificate updates reach its TLS
 * listener. Where Quarkus' listener is on (dev mode, for Dev UI and live reload), it serves the port through
 * {@code ProxyRoute} and this class stays out of the way.
 */
@Singleton
public class TrafficServer {

    private static final Logger LOG = Logger.getLogger(TrafficServer.class);

    private final Vertx vertx;
    private final Proxy proxy;
    private final ValueRegistry values;
    private final TlsConfigurationRegistry tlsRegistry;
    private final Optional<Duration> shutdownTimeout;
    private final RequestHeadTimeout headTimeout;
    private volatile String deploymentId;

    @Inject
    public TrafficServer(Vertx vertx, Proxy proxy, ValueRegistry values, TlsConfigurationRegistry tlsRegistry,
            @ConfigProperty(name = "quarkus.shutdown.timeout") Optional<Duration> shutdownTimeout, LbConfig config,
            Rejections rejections) {
        this.vertx = vertx;
        this.proxy = proxy;
        this.values = values;
        this.tlsRegistry = tlsRegistry;
        this.shutdownTimeout = shutdownTimeout;
        this.headTimeout = new RequestHeadTimeout(vertx, config.timeout().requestHeader().toMillis(), rejections);
    }

    void start(@Observes StartupEvent event) throws Exception {
        QuarkusHttpSettings http = QuarkusHttpSettings.current();
        if (http.quarkusListenerOn()) {
            LOG.debug("quarkus.http.host-enabled=true: Quarkus' HTTP server serves the traffic port");
            return;
        }
        BoundPorts ports = new BoundPorts();
        List<Listener> listeners = Listeners.of(http, tlsRegistry, proxy, ports);
        ConnectionCap cap = http.maxConnections().isPresent() ? new ConnectionCap(http.maxConnections().getAsInt()) : null;
        deploymentId = vertx.deployVerticle(() -> new ListenerVerticle(listeners, cap, ports, headTimeout,
                http::followCertificateUpdates),
                new DeploymentOptions().setInstances(instances(http)))
                .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        new ListeningPorts(values).publish(listeners, ports);
    }

    /**
     * After Quarkus' readiness delay: new requests are turned away (503, connection closed) while the exchanges in
     * flight get up to {@code quarkus.shutdown.timeout} to finish; then the listeners close. First of the shutdown
     * observers, so that nothing the exchanges use (discovery, the demo backends) stops under them.
     */
    void stop(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) ShutdownEvent event) throws Exception {
        String id = deploymentId;
        if (id == null) {
            return;
        }
        deploymentId = null;
        proxy.stopAccepting();
        long deadline = System.nanoTime() + shutdownTimeout.orElse(Duration.ZERO).toNanos();
        while (proxy.exchangesInFlight() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        if (proxy.exchangesInFlight() > 0) {
            LOG.warnf("%d requests still in flight after quarkus.shutdown.timeout: closing their connections",
                    proxy.exchangesInFlight());
        }
        vertx.undeploy(id).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /** One server per event loop, or {@code quarkus.http.io-threads} of them if that is fewer (as Quarkus does). */
    private int instances(QuarkusHttpSettings http) {
        int eventLoops = 0;
        for (var ignored : vertx.nettyEventLoopGroup()) {
            eventLoops++;
        }
        return Math.max(1, Math.min(eventLoops, http.ioThreads().orElse(eventLoops)));
    }
}

package io.lb.admin;

import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.jboss.logging.Logger;

import io.lb.config.ConfigValidator;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

/**
 * Readiness turns DOWN as soon as shutdown begins. On SIGTERM Quarkus first fires
 * {@link ShutdownDelayInitiatedEvent} and waits {@code quarkus.shutdown.delay} (= {@code lb.shutdown.readiness-delay})
 * while still serving, so Kubernetes sees the pod unready and stops routing to it; then it refuses new requests,
 * waits for in-flight ones up to {@code quarkus.shutdown.timeout}, and exits.
 */
@Readiness
@ApplicationScoped
public class ShutdownReadiness implements HealthCheck {

    static final String NAME = "lb-shutdown";
    private static final Logger LOG = Logger.getLogger(ShutdownReadiness.class);

    @Inject
    AdminConfig config;

    private volatile boolean shuttingDown;

    void checkConfig(@Observes StartupEvent event) {
        ConfigValidator.notNegative("lb.shutdown.readiness-delay", config.shutdown().readinessDelay().toMillis());
    }

    void onShutdownDelay(@Observes ShutdownDelayInitiatedEvent event) {
        shuttingDown = true;
        Duration delay = config.shutdown().readinessDelay();
        LOG.infof("shutting down: readiness DOWN, still serving for %d ms (lb.shutdown.readiness-delay)",
                delay.toMillis());
    }

    void onShutdown(@Observes ShutdownEvent event) {
        shuttingDown = true;
    }

    public boolean shuttingDown() {
        return shuttingDown;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named(NAME)
                .status(!shuttingDown)
                .withData("shuttingDown", shuttingDown)
                .build();
    }
}

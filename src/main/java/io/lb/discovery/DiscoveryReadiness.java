package io.lb.discovery;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * With {@code lb.discovery=kubernetes}, the pod is not ready until the first list of EndpointSlices has arrived
 * (before that the pool is empty and every request would get a 503). Always up in static mode.
 */
@Readiness
@ApplicationScoped
public class DiscoveryReadiness implements HealthCheck {

    @Inject
    KubernetesDiscovery discovery;

    @Override
    public HealthCheckResponse call() {
        if (!discovery.active()) {
            return HealthCheckResponse.named("discovery").up().withData("mode", "static").build();
        }
        return HealthCheckResponse.named("discovery")
                .status(discovery.synced())
                .withData("mode", "kubernetes")
                .withData("service", discovery.describe())
                .build();
    }
}

package io.lb.discovery;

import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * With Kubernetes discovery, the pod is not ready until every informer has listed its EndpointSlices once
 * (before that a discovered pool is empty and its requests would get 503s). Always up without discovery. The
 * data names each discovering pool's Service: {@code pool.<name>: namespace/service} and
 * {@code pool.<name>.synced}.
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
        HealthCheckResponseBuilder response = HealthCheckResponse.named("discovery")
                .status(discovery.synced())
                .withData("mode", "kubernetes");
        for (Map.Entry<String, KubernetesDiscovery.PoolStatus> pool : discovery.status().entrySet()) {
            response.withData("pool." + pool.getKey(), pool.getValue().service())
                    .withData("pool." + pool.getKey() + ".synced", pool.getValue().synced());
        }
        return response.build();
    }
}

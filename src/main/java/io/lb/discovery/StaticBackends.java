package io.lb.discovery;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.lb.balancer.BackendPool;
import io.lb.balancer.PoolRegistry;
import io.lb.config.BackendSpec;
import io.lb.config.BackendSpecParser;
import io.lb.config.ConfigValidator;
import io.lb.config.LbConfig;
import io.lb.config.PoolSettings;
import io.quarkus.runtime.StartupEvent;

/**
 * At startup: checks the configuration and fills every pool whose backends are listed ({@code lb.backends},
 * {@code lb.pools.<pool>.backends}) rather than discovered. A bad value stops the application here, with the key
 * and the value in the message.
 */
@ApplicationScoped
public class StaticBackends {

    private static final Logger LOG = Logger.getLogger(StaticBackends.class);

    @Inject
    LbConfig config;

    @Inject
    PoolRegistry pools;

    void onStart(@Observes @Priority(1) StartupEvent event) {
        DiscoveryMode.of(config.discovery());
        for (BackendPool pool : pools.all()) {
            DiscoveryMode.of(pool.settings().discovery());
        }
        ConfigValidator.validate(config);
        for (BackendPool pool : pools.all()) {
            PoolSettings settings = pool.settings();
            if (DiscoveryMode.of(settings.discovery()) == DiscoveryMode.KUBERNETES) {
                // the pool's list is its source of backends only in static mode; KubernetesDiscovery does the rest
                if (settings.backends().stream().anyMatch(backend -> !backend.isBlank())) {
                    LOG.warnf("%s is ignored: %s=%s", settings.key("backends"), settings.discovery().prefix(),
                            settings.discovery().mode().trim());
                }
                continue;
            }
            for (BackendSpec spec : BackendSpecParser.parseAll(settings.key("backends"), settings.backends())) {
                pool.add(spec);
                LOG.infof("backend %s added to pool %s (weight %d)", spec.url(), pool.name(), spec.weight());
            }
        }
    }
}

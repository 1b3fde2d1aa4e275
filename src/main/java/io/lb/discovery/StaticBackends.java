package io.lb.discovery;

import java.util.List;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.lb.balancer.BackendPool;
import io.lb.config.BackendSpec;
import io.lb.config.BackendSpecParser;
import io.lb.config.ConfigValidator;
import io.lb.config.LbConfig;
import io.quarkus.runtime.StartupEvent;

/**
 * At startup: checks the configuration and, with {@code lb.discovery=static} (the default), fills the pool from
 * {@code lb.backends}. A bad value stops the
 * application here, with the key and the value in the message.
 */
@ApplicationScoped
public class StaticBackends {

    private static final Logger LOG = Logger.getLogger(StaticBackends.class);

    @Inject
    LbConfig config;

    @Inject
    BackendPool pool;

    void onStart(@Observes @Priority(1) StartupEvent event) {
        ConfigValidator.validate(config);
        // lb.backends is the source of backends only in static mode; KubernetesDiscovery does the rest
        if (DiscoveryMode.of(config.discovery()) != DiscoveryMode.STATIC) {
            config.backends().filter(list -> !list.isEmpty()).ifPresent(ignored -> LOG.warnf(
                    "lb.backends is ignored: lb.discovery=%s", config.discovery().mode().trim()));
            return;
        }
        for (BackendSpec spec : BackendSpecParser.parseAll(config.backends().orElse(List.of()))) {
            pool.add(spec);
            LOG.infof("backend %s added (weight %d)", spec.url(), spec.weight());
        }
    }
}

package io.lb.admin;

import java.time.Duration;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** {@code lb.admin.*} and {@code lb.shutdown.*}: the admin API's credentials and the graceful shutdown. */
@ConfigMapping(prefix = "lb")
public interface AdminConfig {

    Admin admin();

    Shutdown shutdown();

    interface Admin {
        /**
         * Bearer token required by every mutating admin call. Unset: the admin API is read-only (mutations get
         * 403), so that a balancer is never reconfigurable by whoever reaches its management port by accident.
         */
        Optional<String> token();
    }

    interface Shutdown {
        /**
         * On SIGTERM, how long readiness reports DOWN while traffic is still served, so that Kubernetes (or an
         * upstream balancer) stops sending new requests first. 0 disables the wait. Feeds
         * {@code quarkus.shutdown.delay} (see application.properties).
         */
        @WithDefault("5s")
        Duration readinessDelay();
    }
}

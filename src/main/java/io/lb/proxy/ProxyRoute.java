package io.lb.proxy;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import io.vertx.ext.web.Router;

/**
 * Registers the catch-all route on the traffic port. Health, metrics and admin live on the management
 * port's own router, so nothing of the balancer's is shadowed.
 */
@ApplicationScoped
public class ProxyRoute {

    /** After Quarkus' own early handlers, before static resources (which use 10 000+). */
    static final int ORDER = 9_000;

    @Inject
    Proxy proxy;

    void register(@Observes Router router) {
        router.route().order(ORDER).handler(proxy::handle);
    }
}

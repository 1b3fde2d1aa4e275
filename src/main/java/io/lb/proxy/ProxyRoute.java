package io.lb.proxy;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Registers the catch-all route on Quarkus' router, which serves the traffic port only where Quarkus' own listener
 * is on ({@code quarkus.http.host-enabled=true}, as in dev mode); otherwise {@code io.lb.server.TrafficServer}
 * serves it. Health, metrics and admin live on the management port's own router, so nothing of the balancer's is
 * shadowed.
 */
@ApplicationScoped
public class ProxyRoute {

    /** After Quarkus' own early handlers, before static resources (which use 10 000+). */
    static final int ORDER = 9_000;

    @Inject
    Proxy proxy;

    void register(@Observes Router router) {
        Handler<RoutingContext> toProxy = context -> proxy.handle(context.request());
        router.route().order(ORDER).handler(toProxy);
        // Vert.x Web leaves CONNECT out of method-less routes; it must still meet the proxy's gate (405).
        // (Here a CONNECT in authority-form, "CONNECT host:443", has no path and is answered 404 by Vert.x Web
        // before any route: refused all the same. The balancer's own listener answers it 405.)
        router.route().method(HttpMethod.CONNECT).order(ORDER).handler(toProxy);
    }
}

package io.lb.admin;

import java.util.List;

import io.lb.balancer.Backend;
import io.lb.balancer.BackendPool;
import io.lb.routing.Route;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** A pool as the admin API and the dashboard show it: its backends, the routes that lead to it, its state. */
final class PoolView {

    private PoolView() {
    }

    static JsonObject toJson(BackendPool pool, List<Route> routes) {
        JsonArray leadingHere = new JsonArray();
        for (Route route : routes) {
            if (route.pool().equals(pool.name())) {
                leadingHere.add(new JsonObject()
                        .put("name", route.name())
                        .put("host", route.host() == null ? null : route.host().toString())
                        .put("pathPrefix", route.pathPrefix())
                        .put("stripPrefix", route.stripPrefix()));
            }
        }
        int serving = pool.servingBackends();
        return new JsonObject()
                .put("name", pool.name())
                .put("strategy", pool.settings().strategy())
                .put("state", serving > 0 ? "UP" : "DOWN")
                .put("servingBackends", serving)
                .put("panic", pool.panic())
                .put("routes", leadingHere)
                .put("backends", backends(pool));
    }

    static JsonArray backends(BackendPool pool) {
        JsonArray backends = new JsonArray();
        for (Backend backend : pool.snapshot()) {
            backends.add(BackendView.toJson(backend, pool));
        }
        return backends;
    }
}

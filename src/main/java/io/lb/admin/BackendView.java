package io.lb.admin;


import io.lb.balancer.Backend;
import io.lb.balancer.BackendPool;
import io.lb.balancer.BackendState;
import io.lb.balancer.CheckResult;
import io.vertx.core.json.JsonObject;

/** A backend as the admin API and the dashboard show it. */
final class BackendView {

    private BackendView() {
    }

    /** UP, DOWN (health), EJECTED (outlier ejection) or DRAINING (admin), most severe first. */
    static String state(Backend backend) {
        if (backend.state() == BackendState.DOWN) {
            return "DOWN";
        }
        if (backend.ejected()) {
            return "EJECTED";
        }
        if (backend.draining()) {
            return "DRAINING";
        }
        return "UP";
    }

    static JsonObject toJson(Backend backend, BackendPool pool) {
        JsonObject json = new JsonObject()
                .put("id", backend.id())
                .put("pool", backend.pool())
                .put("shortId", BackendIds.shortId(backend))
                .put("url", backend.id())
                .put("state", state(backend))
                .put("health", backend.state().name())
                .put("draining", backend.draining())
                .put("retiring", pool.retiring(backend))
                .put("ejected", backend.ejected())
                .put("activeConnections", backend.activeConnections())
                .put("weight", backend.weight())
                .put("requests", backend.requestCount())
                .put("errors", backend.failureCount());
        CheckResult check = backend.lastCheck();
        json.put("lastCheck", check == null ? null
                : new JsonObject()
                        .put("at", check.at() == null ? null : check.at().toString())
                        .put("healthy", check.healthy())
                        .put("detail", check.detail()));
        return json;
    }
}

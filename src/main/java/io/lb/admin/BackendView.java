package io.lb.admin;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

import io.lb.balancer.Backend;
import io.lb.balancer.BackendPool;
import io.lb.balancer.BackendState;
import io.lb.balancer.CheckResult;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.vertx.core.json.JsonObject;

/** A backend as the admin API and the dashboard show it. */
@RegisterForReflection(targets = Backend.class, methods = true, fields = false)
final class BackendView {

    /**
     * {@code boolean Backend.ejected()} if outlier ejection provides it; looked up once, so that this code works
     * with and without it.
     */
    private static final MethodHandle EJECTED = findEjected();

    private BackendView() {
    }

    /** UP, DOWN (health), EJECTED (outlier ejection) or DRAINING (admin), most severe first. */
    static String state(Backend backend) {
        if (backend.state() == BackendState.DOWN) {
            return "DOWN";
        }
        if (ejected(backend)) {
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
                .put("shortId", BackendIds.shortId(backend))
                .put("url", backend.id())
                .put("state", state(backend))
                .put("health", backend.state().name())
                .put("draining", backend.draining())
                .put("retiring", pool.retiring(backend))
                .put("ejected", ejected(backend))
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

    static boolean ejected(Backend backend) {
        if (EJECTED == null) {
            return false;
        }
        try {
            return (boolean) EJECTED.invokeExact(backend);
        } catch (Throwable e) {
            return false;
        }
    }

    private static MethodHandle findEjected() {
        try {
            return MethodHandles.publicLookup().findVirtual(Backend.class, "ejected", MethodType.methodType(boolean.class));
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }
}

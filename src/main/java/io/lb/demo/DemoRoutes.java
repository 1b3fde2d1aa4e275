package io.lb.demo;

import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;

import io.quarkus.vertx.http.ManagementInterface;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * The dashboard's demo controls, in dev mode only (where the demo backends exist), on the management port:
 * <pre>
 * GET  /lb/demo                   the demo backends
 * POST /lb/demo/{name}/stop|start no token: demo backends exist only in dev mode
 * </pre>
 */
@ApplicationScoped
public class DemoRoutes {

    @Inject
    Instance<DemoBackends> demo;

    void init(@Observes ManagementInterface management) {
        if (!demo.isResolvable()) {
            return;
        }
        management.router().get("/lb/demo").handler(ctx -> json(ctx, 200, list().encode()));
        management.router().post("/lb/demo/:name/stop").handler(ctx -> turn(ctx, false));
        management.router().post("/lb/demo/:name/start").handler(ctx -> turn(ctx, true));
    }

    private JsonArray list() {
        JsonArray list = new JsonArray();
        for (DemoBackend backend : demo.get().all()) {
            list.add(new JsonObject()
                    .put("name", backend.name())
                    .put("port", backend.port())
                    .put("backend", "http://127.0.0.1:" + backend.port())
                    .put("running", backend.running()));
        }
        return list;
    }

    private void turn(RoutingContext ctx, boolean start) {
        String name = ctx.pathParam("name");
        Optional<DemoBackend> found = demo.get().byName(name);
        if (found.isEmpty()) {
            json(ctx, 404, new JsonObject().put("error", "no demo backend '" + name + "'").encode());
            return;
        }
        DemoBackend backend = found.get();
        (start ? backend.start() : backend.stop()).onComplete(done -> {
            if (done.failed()) {
                json(ctx, 500, new JsonObject().put("error", "could not " + (start ? "start" : "stop") + " " + name
                        + ": " + done.cause().getMessage()).encode());
            } else {
                json(ctx, 200, new JsonObject().put("name", name).put("running", backend.running()).encode());
            }
        });
    }

    private static void json(RoutingContext ctx, int status, String body) {
        ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body);
    }
}

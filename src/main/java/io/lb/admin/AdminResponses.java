package io.lb.admin;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** JSON responses of the admin API. Errors are {@code {"status": N, "message": "..."}}. */
final class AdminResponses {

    private AdminResponses() {
    }

    static void json(RoutingContext ctx, int status, JsonObject body) {
        send(ctx, status, body.encode());
    }

    static void json(RoutingContext ctx, int status, JsonArray body) {
        send(ctx, status, body.encode());
    }

    static void error(RoutingContext ctx, int status, String message) {
        json(ctx, status, new JsonObject().put("status", status).put("message", message));
    }

    private static void send(RoutingContext ctx, int status, String body) {
        ctx.response()
                .setStatusCode(status)
                .putHeader("Content-Type", "application/json; charset=utf-8")
                .putHeader("Cache-Control", "no-store")
                .end(body);
    }
}

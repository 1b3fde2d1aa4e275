package io.lb.admin;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

/**
 * Guards the mutating admin routes with {@code Authorization: Bearer <lb.admin.token>}. Without a configured
 * token the API is read-only. The comparison takes the same time whatever the presented token is.
 */
final class AdminAuth implements Handler<RoutingContext> {

    static final String READ_ONLY = "the admin API is read-only because lb.admin.token is unset; "
            + "set lb.admin.token (env LB_ADMIN_TOKEN) to allow changes";

    private final byte[] expected;

    AdminAuth(Optional<String> token) {
        this.expected = token.filter(t -> !t.isBlank())
                .map(t -> t.trim().getBytes(StandardCharsets.UTF_8))
                .orElse(null);
    }

    boolean enabled() {
        return expected != null;
    }

    @Override
    public void handle(RoutingContext ctx) {
        if (expected == null) {
            AdminResponses.error(ctx, 403, READ_ONLY);
            return;
        }
        String header = ctx.request().getHeader("Authorization");
        byte[] presented = new byte[0];
        if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            presented = header.substring(7).trim().getBytes(StandardCharsets.UTF_8);
        }
        // MessageDigest.isEqual is constant-time for equal lengths and does not stop at the first difference
        if (!MessageDigest.isEqual(presented, expected)) {
            ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"lb-admin\"");
            AdminResponses.error(ctx, 401, header == null
                    ? "missing Authorization: Bearer <lb.admin.token>"
                    : "invalid bearer token");
            return;
        }
        ctx.next();
    }
}

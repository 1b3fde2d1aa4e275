package io.lb.admin;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
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
        this.expected = token.filter(t -> !t.isBlank()).map(t -> sha256(t.trim())).orElse(null);
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
        String presented = "";
        if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            presented = header.substring(7).trim();
        }
        // Digests have one length whatever the token's, and MessageDigest.isEqual does not stop at the first
        // difference: the time taken tells nothing about the token.
        if (!MessageDigest.isEqual(sha256(presented), expected)) {
            ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"lb-admin\"");
            AdminResponses.error(ctx, 401, header == null
                    ? "missing Authorization: Bearer <lb.admin.token>"
                    : "invalid bearer token");
            return;
        }
        ctx.next();
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java runtime", e);
        }
    }
}

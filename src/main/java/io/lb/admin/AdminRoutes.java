package io.lb.admin;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.lb.balancer.Backend;
import io.lb.balancer.BackendPool;
import io.lb.balancer.PoolRegistry;
import io.lb.config.BackendSpec;
import io.lb.config.BackendSpecParser;
import io.lb.proxy.Proxy;
import io.quarkus.vertx.http.ManagementInterface;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

/**
 * The admin API, on the management port only (the traffic port proxies every path). Reads are open to
 * whoever reaches the management port; changes need {@code Authorization: Bearer <lb.admin.token>}.
 *
 * <pre>
 * GET    /lb/pools                                 every pool: its backends, the routes that lead to it, its state
 * GET    /lb/pools/{pool}                          one pool
 * GET    /lb/pools/{pool}/backends                 its backends
 * GET    /lb/pools/{pool}/backends/{id}            one backend
 * POST   /lb/pools/{pool}/backends                 {"url": "http://host:port", "weight": N}  → 201, 409 if present
 * DELETE /lb/pools/{pool}/backends/{id}            drain, then remove once in-flight exchanges end → 200 or 202
 * PUT    /lb/pools/{pool}/backends/{id}/weight     {"weight": N}
 * POST   /lb/pools/{pool}/backends/{id}/drain      no new exchanges
 * POST   /lb/pools/{pool}/backends/{id}/undrain    back in rotation
 * GET    /lb/backends                              every backend of every pool, with its pool
 * ...    /lb/backends/...                          the calls above on the default pool
 * </pre>
 *
 * {@code {id}} is the URL-encoded backend URL or the short form {@code host:port} (see {@link BackendIds}).
 */
@ApplicationScoped
public class AdminRoutes {

    private static final Logger LOG = Logger.getLogger(AdminRoutes.class);
    static final String BACKENDS = "/lb/backends";
    static final String POOLS = "/lb/pools";
    private static final String POOL_BACKENDS = POOLS + "/:pool/backends";
    private static final int MAX_BODY = 16 * 1024;

    @Inject
    PoolRegistry pools;

    @Inject
    Proxy proxy;

    @Inject
    AdminConfig config;

    void init(@Observes ManagementInterface management) {
        register(management.router());
    }

    void register(Router router) {
        AdminAuth auth = new AdminAuth(config.admin().token());
        if (!auth.enabled()) {
            LOG.info("admin API is read-only: lb.admin.token is unset");
        }
        BodyHandler body = BodyHandler.create(false).setBodyLimit(MAX_BODY);

        router.get(POOLS).handler(this::listPools);
        router.get(POOLS + "/:pool").handler(ctx -> pool(ctx).ifPresent(
                pool -> AdminResponses.json(ctx, 200, PoolView.toJson(pool, proxy.routes()))));
        router.get(BACKENDS).handler(this::listAll);
        router.get(POOL_BACKENDS).handler(this::list);
        for (String backends : new String[] { BACKENDS, POOL_BACKENDS }) {
            router.get(backends + "/:id").handler(this::get);
            router.post(backends).handler(body).handler(auth).handler(this::add);
            router.delete(backends + "/:id").handler(auth).handler(this::delete);
            router.put(backends + "/:id/weight").handler(body).handler(auth).handler(this::weight);
            router.post(backends + "/:id/drain").handler(auth).handler(ctx -> drain(ctx, true));
            router.post(backends + "/:id/undrain").handler(auth).handler(ctx -> drain(ctx, false));
        }
    }

    private void listPools(RoutingContext ctx) {
        JsonArray all = new JsonArray();
        for (BackendPool pool : pools.all()) {
            all.add(PoolView.toJson(pool, proxy.routes()));
        }
        AdminResponses.json(ctx, 200, all);
    }

    private void listAll(RoutingContext ctx) {
        JsonArray backends = new JsonArray();
        for (BackendPool pool : pools.all()) {
            for (Backend backend : pool.snapshot()) {
                backends.add(BackendView.toJson(backend, pool));
            }
        }
        AdminResponses.json(ctx, 200, backends);
    }

    private void list(RoutingContext ctx) {
        pool(ctx).ifPresent(pool -> AdminResponses.json(ctx, 200, PoolView.backends(pool)));
    }

    private void get(RoutingContext ctx) {
        pool(ctx).ifPresent(pool -> backend(ctx, pool).ifPresent(
                backend -> AdminResponses.json(ctx, 200, BackendView.toJson(backend, pool))));
    }

    private void add(RoutingContext ctx) {
        Optional<BackendPool> target = pool(ctx);
        if (target.isEmpty()) {
            return;
        }
        BackendPool pool = target.get();
        JsonObject body = jsonBody(ctx);
        if (body == null) {
            return;
        }
        Object url = body.getValue("url");
        if (!(url instanceof String) || ((String) url).isBlank()) {
            AdminResponses.error(ctx, 400, "\"url\" is required: a string like \"http://10.0.0.1:8080\"");
            return;
        }
        Object weight = body.getValue("weight");
        BackendSpec spec;
        try {
            spec = BackendSpecParser.parse(weight == null ? (String) url : url + ";weight=" + weight);
        } catch (IllegalArgumentException e) {
            AdminResponses.error(ctx, 400, withoutConfigKey(e.getMessage()));
            return;
        }
        Optional<Backend> existing = pool.find(spec.url());
        if (existing.isPresent()) {
            AdminResponses.error(ctx, 409, "backend " + spec.url() + " already exists"
                    + (pool.retiring(existing.get()) ? " (it is being removed; add it again once it is gone)" : ""));
            return;
        }
        Backend added = pool.add(spec);
        LOG.infof("admin: backend %s added to pool %s (weight %d)", added.id(), pool.name(), added.weight());
        String base = ctx.pathParam("pool") == null ? BACKENDS : POOLS + "/" + pool.name() + "/backends";
        ctx.response().putHeader("Location", base + "/" + URLEncoder.encode(added.id(), StandardCharsets.UTF_8));
        AdminResponses.json(ctx, 201, BackendView.toJson(added, pool));
    }

    private void delete(RoutingContext ctx) {
        Optional<BackendPool> target = pool(ctx);
        Optional<Backend> found = target.isEmpty() ? Optional.empty() : backend(ctx, target.get());
        if (found.isEmpty()) {
            return;
        }
        BackendPool pool = target.get();
        Backend backend = found.get();
        Optional<CompletionStage<Backend>> retiring = pool.retire(backend.id());
        boolean gone = retiring.isEmpty() || retiring.get().toCompletableFuture().isDone();
        if (gone) {
            LOG.infof("admin: backend %s removed", backend.id());
        } else {
            LOG.infof("admin: backend %s draining, removed once its %d exchanges end", backend.id(),
                    backend.activeConnections());
            retiring.get().thenAccept(b -> LOG.infof("admin: backend %s drained and removed", b.id()));
        }
        AdminResponses.json(ctx, gone ? 200 : 202, new JsonObject()
                .put("id", backend.id())
                .put("removed", gone)
                .put("state", gone ? "REMOVED" : "DRAINING")
                .put("activeConnections", backend.activeConnections()));
    }

    private void weight(RoutingContext ctx) {
        Optional<BackendPool> target = pool(ctx);
        Optional<Backend> found = target.isEmpty() ? Optional.empty() : backend(ctx, target.get());
        if (found.isEmpty()) {
            return;
        }
        BackendPool pool = target.get();
        JsonObject body = jsonBody(ctx);
        if (body == null) {
            return;
        }
        Object weight = body.getValue("weight");
        if (weight == null) {
            AdminResponses.error(ctx, 400, "\"weight\" is required: an integer from 1 to 1000");
            return;
        }
        Backend backend = found.get();
        int parsed;
        try {
            parsed = BackendSpecParser.parse(backend.id() + ";weight=" + weight).weight();
        } catch (IllegalArgumentException e) {
            AdminResponses.error(ctx, 400, withoutConfigKey(e.getMessage()));
            return;
        }
        backend.weight(parsed);
        LOG.infof("admin: backend %s weight %d", backend.id(), parsed);
        AdminResponses.json(ctx, 200, BackendView.toJson(backend, pool));
    }

    private void drain(RoutingContext ctx, boolean draining) {
        Optional<BackendPool> target = pool(ctx);
        Optional<Backend> found = target.isEmpty() ? Optional.empty() : backend(ctx, target.get());
        if (found.isEmpty()) {
            return;
        }
        BackendPool pool = target.get();
        Backend backend = found.get();
        if (!draining && pool.retiring(backend)) {
            AdminResponses.error(ctx, 409, "backend " + backend.id() + " is being removed; add it again once it is gone");
            return;
        }
        backend.draining(draining);
        LOG.infof("admin: backend %s %s", backend.id(), draining ? "draining" : "back in rotation");
        AdminResponses.json(ctx, 200, BackendView.toJson(backend, pool));
    }

    /**
     * The pool named by the {@code pool} path parameter, or the default pool on the {@code /lb/backends} paths;
     * answers 404 and returns empty when there is none.
     */
    private Optional<BackendPool> pool(RoutingContext ctx) {
        String name = ctx.pathParam("pool");
        Optional<BackendPool> found = name == null ? pools.defaultPool() : pools.find(name);
        if (found.isEmpty()) {
            AdminResponses.error(ctx, 404, name == null
                    ? "there is no default pool (lb.backends is unset): use " + POOLS + "/{pool}/backends"
                    : "no pool '" + name + "', see GET " + POOLS);
        }
        return found;
    }

    /** The backend named by the {@code id} path parameter; answers 404 and returns empty when there is none. */
    private Optional<Backend> backend(RoutingContext ctx, BackendPool pool) {
        String id = ctx.pathParam("id");
        Optional<Backend> found = BackendIds.find(pool, id);
        if (found.isEmpty()) {
            AdminResponses.error(ctx, 404, "no backend '" + id + "' in pool " + pool.name()
                    + "; use the URL-encoded URL or host:port, see GET " + POOLS + "/" + pool.name() + "/backends");
        }
        return found;
    }

    /** The request body as a JSON object; answers 400 and returns null when it is not one. */
    private static JsonObject jsonBody(RoutingContext ctx) {
        var body = ctx.body();
        if (body == null || body.length() == 0) {
            AdminResponses.error(ctx, 400, "a JSON object body is required");
            return null;
        }
        try {
            Object value = body.buffer().toJson();
            if (value instanceof JsonObject) {
                return (JsonObject) value;
            }
            AdminResponses.error(ctx, 400, "the body must be a JSON object");
        } catch (DecodeException e) {
            AdminResponses.error(ctx, 400, "malformed JSON: " + e.getMessage());
        }
        return null;
    }

    /** Parser messages start with the configuration key; through the API the key is not what was wrong. */
    private static String withoutConfigKey(String message) {
        String prefix = BackendSpecParser.KEY + ": ";
        return message.startsWith(prefix) ? message.substring(prefix.length()) : message;
    }

}

package io.lb.admin;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;

import io.lb.balancer.Backend;
import io.lb.balancer.BackendPool;
import io.lb.balancer.PoolRegistry;
import io.lb.proxy.Proxy;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import io.quarkus.vertx.http.ManagementInterface;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * The dashboard on the management port: a static page (src/main/resources/dashboard, no build step, no CDN)
 * polling {@code GET /lb/stats}. In dev mode it can also stop and start the demo backends (io.lb.demo.DemoRoutes).
 *
 * <pre>
 * GET  /lb/dashboard              the page
 * GET  /lb/stats                  per-backend state and cumulative counters (the page derives rates)
 * </pre>
 */
@ApplicationScoped
public class DashboardRoutes {

    static final String DURATION_TIMER = "lb.request.duration";

    /** The page's files, by the name used in its URL, with their content types. */
    private static final Map<String, String> FILES = Map.of(
            "index.html", "text/html; charset=utf-8",
            "dashboard.css", "text/css; charset=utf-8",
            "dashboard.js", "text/javascript; charset=utf-8");

    @Inject
    PoolRegistry pools;

    @Inject
    Proxy proxy;

    @Inject
    Instance<MeterRegistry> registries;

    @Inject
    AdminConfig config;

    private final Map<String, Buffer> files = new java.util.HashMap<>();

    void init(@Observes ManagementInterface management) {
        register(management.router());
    }

    void register(Router router) {
        FILES.keySet().forEach(name -> files.put(name, load(name)));
        router.get("/lb/dashboard").handler(ctx -> serve(ctx, "index.html"));
        router.get("/lb/dashboard/").handler(ctx -> serve(ctx, "index.html"));
        router.get("/lb/dashboard/:file").handler(ctx -> serve(ctx, ctx.pathParam("file")));
        router.get("/lb/stats").handler(this::stats);
    }

    private void serve(RoutingContext ctx, String name) {
        Buffer content = files.get(name);
        if (content == null) {
            AdminResponses.error(ctx, 404, "no dashboard file '" + name + "'");
            return;
        }
        ctx.response()
                .putHeader("Content-Type", FILES.get(name))
                .putHeader("Cache-Control", "no-cache")
                .putHeader("X-Content-Type-Options", "nosniff")
                .end(content);
    }

    private void stats(RoutingContext ctx) {
        MeterRegistry registry = registries.isResolvable() ? registries.get() : null;
        JsonArray backends = new JsonArray();
        JsonArray poolViews = new JsonArray();
        for (BackendPool pool : pools.all()) {
            for (Backend backend : pool.snapshot()) {
                JsonObject json = BackendView.toJson(backend, pool);
                json.put("latency", registry == null ? null : latency(registry, backend));
                backends.add(json);
            }
            JsonObject view = PoolView.toJson(pool, proxy.routes());
            view.remove("backends");
            poolViews.add(view);
        }
        JsonObject stats = new JsonObject()
                .put("time", System.currentTimeMillis())
                .put("adminWritable", config.admin().token().filter(t -> !t.isBlank()).isPresent())
                .put("pools", poolViews)
                .put("backends", backends);
        AdminResponses.json(ctx, 200, stats);
    }

    /**
     * Cumulative count and total time of {@code lb.request.duration} for one backend (the page turns two
     * polls into a mean over the interval), plus the timer's own median when it publishes one. Null when the
     * timer does not exist.
     */
    static JsonObject latency(MeterRegistry registry, Backend backend) {
        var timers = registry.find(DURATION_TIMER).tag("pool", backend.pool()).tag("backend", backend.id()).timers();
        if (timers.isEmpty()) {
            return null;
        }
        long count = 0;
        double totalSeconds = 0;
        Double p50 = null;
        for (Timer timer : timers) {
            count += timer.count();
            totalSeconds += timer.totalTime(TimeUnit.SECONDS);
            if (timers.size() == 1) {
                for (ValueAtPercentile value : timer.takeSnapshot().percentileValues()) {
                    if (Math.abs(value.percentile() - 0.5) < 1e-9) {
                        p50 = value.value(TimeUnit.SECONDS);
                    }
                }
            }
        }
        return new JsonObject()
                .put("count", count)
                .put("totalSeconds", totalSeconds)
                .put("meanSeconds", count == 0 ? null : totalSeconds / count)
                .put("p50Seconds", p50);
    }

    private static Buffer load(String name) {
        String path = "dashboard/" + name;
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        try (InputStream in = loader.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("dashboard resource missing from the classpath: " + path);
            }
            return Buffer.buffer(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

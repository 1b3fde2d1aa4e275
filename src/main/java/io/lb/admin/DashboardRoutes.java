package io.lb.admin;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;

import io.lb.balancer.Backend;
import io.lb.balancer.BackendPool;
import io.lb.demo.DemoBackend;
import io.lb.demo.DemoBackends;
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
 * polling {@code GET /lb/stats}. In dev mode it can also stop and start the demo backends.
 *
 * <pre>
 * GET  /lb/dashboard              the page
 * GET  /lb/stats                  per-backend state and cumulative counters (the page derives rates)
 * GET  /lb/demo                   demo backends (dev mode only)
 * POST /lb/demo/{name}/stop|start (dev mode only, no token: demo backends exist only in dev mode)
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
    BackendPool pool;

    @Inject
    Instance<MeterRegistry> registries;

    @Inject
    Instance<DemoBackends> demo;

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
        if (demo.isResolvable()) {
            router.get("/lb/demo").handler(ctx -> AdminResponses.json(ctx, 200, demoBackends()));
            router.post("/lb/demo/:name/stop").handler(ctx -> demoSwitch(ctx, false));
            router.post("/lb/demo/:name/start").handler(ctx -> demoSwitch(ctx, true));
        }
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
        for (Backend backend : pool.snapshot()) {
            JsonObject json = BackendView.toJson(backend, pool);
            json.put("latency", registry == null ? null : latency(registry, backend.id()));
            backends.add(json);
        }
        JsonObject stats = new JsonObject()
                .put("time", System.currentTimeMillis())
                .put("adminWritable", config.admin().token().filter(t -> !t.isBlank()).isPresent())
                .put("backends", backends);
        if (demo.isResolvable()) {
            stats.put("demo", demoBackends());
        }
        AdminResponses.json(ctx, 200, stats);
    }

    /**
     * Cumulative count and total time of {@code lb.request.duration} for one backend (the page turns two
     * polls into a mean over the interval), plus the timer's own median when it publishes one. Null when the
     * timer does not exist.
     */
    static JsonObject latency(MeterRegistry registry, String backendId) {
        var timers = registry.find(DURATION_TIMER).tag("backend", backendId).timers();
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

    private JsonArray demoBackends() {
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

    private void demoSwitch(RoutingContext ctx, boolean start) {
        String name = ctx.pathParam("name");
        Optional<DemoBackend> found = demo.get().byName(name);
        if (found.isEmpty()) {
            AdminResponses.error(ctx, 404, "no demo backend '" + name + "'");
            return;
        }
        DemoBackend backend = found.get();
        (start ? backend.start() : backend.stop()).onComplete(done -> {
            if (done.failed()) {
                AdminResponses.error(ctx, 500, "could not " + (start ? "start" : "stop") + " " + name + ": "
                        + done.cause().getMessage());
            } else {
                AdminResponses.json(ctx, 200, new JsonObject().put("name", name).put("running", backend.running()));
            }
        });
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

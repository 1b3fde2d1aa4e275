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
import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.quarkus.vertx.http.ManagementInterface;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * The dashboard on the management port: a static page (src/main/resources/dashboard, no build step, no CDN)
 * polling {@code GET /lb/stats}, with its charts drawn by uPlot, served from the {@code org.webjars.npm:uplot} jar
 * on the class path. In dev mode it can also stop and start the demo backends (io.lb.demo.DemoRoutes).
 *
 * <pre>
 * GET  /lb/dashboard              the page
 * GET  /lb/dashboard/{file}       its script and style sheet, and uPlot's
 * GET  /lb/stats                  per-backend state and cumulative counters, latency histogram included (the
 *                                 page derives rates and percentiles from two polls)
 * </pre>
 */
@ApplicationScoped
public class DashboardRoutes {

    static final String DURATION_TIMER = "lb.request.duration";

    /** The page's files, by the name used in its URL, with their content types. */
    private static final Map<String, String> FILES = Map.of(
            "index.html", "text/html; charset=utf-8",
            "dashboard.css", "text/css; charset=utf-8",
            "dashboard.js", "text/javascript; charset=utf-8",
            "uPlot.iife.min.js", "text/javascript; charset=utf-8",
            "uPlot.min.css", "text/css; charset=utf-8");
    /** The uPlot webjar's files, which are served under their own names. */
    static final String UPLOT = "META-INF/resources/webjars/uplot/";
    private static final String UPLOT_VERSION_FILE = "META-INF/maven/org.webjars.npm/uplot/pom.properties";

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
        String uplot = UPLOT + uplotVersion() + "/dist/";
        FILES.keySet().forEach(name -> files.put(name, load(name.startsWith("uPlot") ? uplot + name : "dashboard/" + name)));
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
     * Cumulative count, total time and histogram of {@code lb.request.duration} for one backend, its routes added
     * up: {@code bucketBounds} in seconds and {@code buckets}, the count of requests at or below each bound (as
     * Prometheus' {@code _bucket{le}}). The page turns two polls into a mean and percentiles over the interval, as
     * {@code histogram_quantile} over a {@code rate} does. Null when the timer does not exist.
     */
    static JsonObject latency(MeterRegistry registry, Backend backend) {
        var timers = registry.find(DURATION_TIMER).tag("pool", backend.pool()).tag("backend", backend.id()).timers();
        if (timers.isEmpty()) {
            return null;
        }
        long count = 0;
        double totalSeconds = 0;
        double[] bounds = null;
        long[] cumulative = null;
        for (Timer timer : timers) {
            count += timer.count();
            totalSeconds += timer.totalTime(TimeUnit.SECONDS);
            CountAtBucket[] histogram = timer.takeSnapshot().histogramCounts();
            if (bounds == null) {
                bounds = new double[histogram.length];
                cumulative = new long[histogram.length];
                for (int i = 0; i < histogram.length; i++) {
                    bounds[i] = histogram[i].bucket(TimeUnit.SECONDS);
                }
            }
            for (int i = 0; i < histogram.length && i < bounds.length; i++) {
                cumulative[i] += (long) histogram[i].count();
            }
        }
        JsonArray bucketBounds = new JsonArray();
        JsonArray buckets = new JsonArray();
        for (int i = 0; i < bounds.length; i++) {
            bucketBounds.add(bounds[i]);
            buckets.add(cumulative[i]);
        }
        return new JsonObject()
                .put("count", count)
                .put("totalSeconds", totalSeconds)
                .put("meanSeconds", count == 0 ? null : totalSeconds / count)
                .put("bucketBounds", bucketBounds)
                .put("buckets", buckets);
    }

    /** The version of the uPlot webjar on the class path, from its Maven metadata. */
    private static String uplotVersion() {
        try (InputStream in = Thread.currentThread().getContextClassLoader().getResourceAsStream(UPLOT_VERSION_FILE)) {
            if (in == null) {
                throw new IllegalStateException("the uPlot webjar is missing from the classpath: " + UPLOT_VERSION_FILE);
            }
            java.util.Properties properties = new java.util.Properties();
            properties.load(in);
            return properties.getProperty("version");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Buffer load(String path) {
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

package io.lb.health;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.lb.balancer.Backend;
import io.lb.balancer.BackendEvent;
import io.lb.balancer.BackendPool;
import io.lb.balancer.BackendState;
import io.lb.balancer.CheckResult;
import io.lb.balancer.PoolRegistry;
import io.lb.client.BackendClientProducer;
import io.lb.config.LbConfig;
import io.lb.config.PoolSettings;
import io.lb.config.ProbeType;
import io.lb.config.StatusRanges;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.tls.TlsConfigurationRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientOptions;

/**
 * Active health checks, with each pool's own settings: every {@code lb.health.interval} (default 20 s) each UP
 * backend gets a probe of the pool's {@code lb.health.type} ({@link HttpProbe}, {@link GrpcProbe}, {@link TcpProbe});
 * backends that are DOWN, ejected, or UP but failed their last probe, are probed every
 * {@code lb.health.down-interval} (default 2 s, HAProxy's "fastinter") so that recovery and confirmation of a
 * failure are quick. {@code lb.health.fall} failed probes in a row take a backend DOWN, {@code lb.health.rise} good
 * ones bring it back; a good probe also ends an outlier ejection (Envoy's successful_active_health_check_uneject_host).
 * Each state change is logged once, with the reason.
 * <p>
 * A Vert.x periodic timer ticks every {@value #TICK_MILLIS} ms and starts the probes that are due; each waits a random
 * delay of up to {@code lb.health.jitter} of its period (so that replicas do not probe in lockstep), and probes run in
 * parallel, never two at once on one backend. The tick only starts them: nothing blocks its event loop. Not the
 * Quarkus scheduler: it looks at its triggers once a second, so a check that lands just before a second's boundary
 * skips that second, and a 1 s or 2 s down-interval would now and then stretch by a whole second, long enough for a
 * backend that came back to miss a rolling restart.
 * <p>
 * Why Vert.x clients ({@link ProbeClients}) rather than quarkus-rest-client or grpc-java: a REST client is bound
 * to a base URL chosen at build or creation time, while the probe targets are a set of {@code host:port} that
 * changes at run time (admin API, discovery); a Vert.x client takes the host and port per request, sets a deadline
 * per probe, and completes a future on the event loop without a worker thread or a typed interface per backend.
 * The gRPC health check is one unary call whose two messages {@link GrpcHealthMessages} encodes: grpc-java's
 * channels, executors and shaded Netty would be a second network stack in the runtime for it.
 */
@ApplicationScoped
public class ActiveHealthCheck {

    private static final Logger LOG = Logger.getLogger(ActiveHealthCheck.class);
    static final String USER_AGENT = "quarkus-lb-health-check";
    static final long TICK_MILLIS = 100;
    /** A tick that comes a little early still starts a probe due by the next one: periods keep to half a tick. */
    private static final long TICK_TOLERANCE_NANOS = TICK_MILLIS * 1_000_000L / 2;

    private final Vertx vertx;
    private final PoolRegistry pools;
    private final HealthMeters meters;
    private final ProbeClients clients;
    private final Map<String, Policy> policies = new HashMap<>();
    private final Map<Backend, Tracker> trackers = new ConcurrentHashMap<>();
    private long tickTimer = -1;

    /** One pool's probe settings, resolved once. */
    private record Policy(Probe probe, long timeoutMillis, long intervalNanos, long downIntervalNanos,
            double jitter, int fall, int rise) {
    }

    @Inject
    public ActiveHealthCheck(Vertx vertx, PoolRegistry pools, HealthMeters meters, LbConfig config,
            Instance<TlsConfigurationRegistry> tlsRegistry) {
        this.vertx = vertx;
        this.pools = pools;
        this.meters = meters;
        long longestTimeout = 1;
        for (BackendPool pool : pools.all()) {
            longestTimeout = Math.max(longestTimeout, pool.settings().health().timeout().toMillis());
        }
        HttpClientOptions tls = new HttpClientOptions().setVerifyHost(true);
        // probes must trust exactly what traffic trusts, or the two would disagree about https backends
        BackendClientProducer.applyTls(tls, config.client().tls(), tlsRegistry);
        this.clients = new ProbeClients(vertx, tls, (int) Math.min(Integer.MAX_VALUE, longestTimeout));
        boolean trafficOnHttp2 = config.client().protocol() == LbConfig.BackendProtocol.H2C;
        for (BackendPool pool : pools.all()) {
            PoolSettings.Health health = pool.settings().health();
            long timeoutMillis = Math.max(1, health.timeout().toMillis());
            Probe probe = probe(pool.settings(), trafficOnHttp2, timeoutMillis);
            policies.put(pool.name(), new Policy(probe, timeoutMillis, health.interval().toNanos(),
                    health.downInterval().toNanos(), health.jitter(), health.fall(), health.rise()));
            if (Math.min(health.interval().toMillis(), health.downInterval().toMillis()) < TICK_MILLIS) {
                LOG.infof("pool %s: health interval %s, down-interval %s: probes start on a tick every %d ms, so"
                        + " shorter periods behave as %d ms", pool.name(), health.interval(), health.downInterval(),
                        TICK_MILLIS, TICK_MILLIS);
            }
        }
    }

    /** The pool's kind of probe; HTTP probes speak what its traffic speaks, gRPC ones always HTTP/2. */
    private Probe probe(PoolSettings settings, boolean trafficOnHttp2, long timeoutMillis) {
        PoolSettings.Health health = settings.health();
        ProbeType type = ProbeType.parse(settings.key("health.type"), health.type());
        if (type == ProbeType.GRPC && !trafficOnHttp2) {
            LOG.warnf("pool %s: %s=grpc probes over HTTP/2, but lb.client.protocol=http1 sends traffic over"
                    + " HTTP/1.1, which gRPC servers refuse: set lb.client.protocol=h2c", settings.name(),
                    settings.key("health.type"));
        }
        return switch (type) {
            case HTTP -> new HttpProbe(clients.http(trafficOnHttp2), health.path(),
                    StatusRanges.parse(settings.key("health.statuses"), health.statuses()));
            case GRPC -> new GrpcProbe(clients.http(true), health.grpcService(), timeoutMillis);
            case TCP -> new TcpProbe(clients.tcp());
        };
    }

    void start(@Observes StartupEvent event) {
        tickTimer = vertx.setPeriodic(TICK_MILLIS, id -> probeDueBackends());
    }

    @PreDestroy
    void close() {
        vertx.cancelTimer(tickTimer);
        clients.close();
    }

    void onPoolChange(@Observes BackendEvent event) {
        if (event.kind() == BackendEvent.Kind.REMOVED) {
            trackers.remove(event.backend());
        }
    }

    /** Starts every probe that is due: UP backends once an interval, the others once a down-interval. */
    private void probeDueBackends() {
        long now = System.nanoTime();
        for (BackendPool pool : pools.all()) {
            Policy policy = policies.get(pool.name());
            for (Backend backend : pool.snapshot()) {
                Tracker tracker = tracker(backend);
                boolean fast = backend.state() == BackendState.DOWN || tracker.failures > 0 || backend.ejected();
                long period = fast ? policy.downIntervalNanos() : policy.intervalNanos();
                if (now - tracker.lastDueNanos >= period - TICK_TOLERANCE_NANOS) {
                    tracker.lastDueNanos = now;
                    probe(backend, policy, (long) (period / 1_000_000 * policy.jitter()));
                }
            }
        }
    }

    /** Probes every backend at once, without jitter; completes when all probes are over. */
    public Future<Void> probeAllNow() {
        List<Future<Void>> probes = new ArrayList<>();
        for (BackendPool pool : pools.all()) {
            for (Backend backend : pool.snapshot()) {
                probes.add(probe(backend, policies.get(pool.name()), 0));
            }
        }
        return Future.join(probes).mapEmpty();
    }

    private Future<Void> probe(Backend backend, Policy policy, long maxDelayMillis) {
        Tracker tracker = tracker(backend);
        if (!tracker.inFlight.compareAndSet(false, true)) {
            return Future.succeededFuture(); // being probed right now
        }
        Promise<Void> done = Promise.promise();
        long delay = maxDelayMillis > 0 ? ThreadLocalRandom.current().nextLong(maxDelayMillis + 1) : 0;
        Runnable start = () -> sendSafely(backend, policy).onComplete(outcome -> {
            try {
                record(backend, policy, tracker, outcome.result());
            } finally {
                tracker.inFlight.set(false);
                done.complete();
            }
        });
        if (delay < 1) {
            start.run();
        } else {
            vertx.setTimer(delay, id -> start.run());
        }
        return done.future();
    }

    /** A probe that cannot fail: its backend's in-flight flag must always clear, or it would never be probed again. */
    private Future<CheckResult> sendSafely(Backend backend, Policy policy) {
        try {
            return send(backend, policy);
        } catch (RuntimeException e) {
            return Future.succeededFuture(Probe.unhealthy("probe not sent: " + Probe.describe(e)));
        }
    }

    /** One probe; the returned future always succeeds, with the verdict. */
    private Future<CheckResult> send(Backend backend, Policy policy) {
        long timeoutMillis = policy.timeoutMillis();
        Promise<CheckResult> verdict = Promise.promise();
        long timer = vertx.setTimer(timeoutMillis, id -> verdict.tryComplete(
                Probe.unhealthy("no response within " + Duration.ofMillis(timeoutMillis))));
        verdict.future().onComplete(ignored -> vertx.cancelTimer(timer));
        policy.probe().send(backend.spec(), verdict);
        return verdict.future();
    }

    private void record(Backend backend, Policy policy, Tracker tracker, CheckResult result) {
        int rise = policy.rise();
        int fall = policy.fall();
        backend.lastCheck(result);
        meters.check(backend, result.healthy());
        synchronized (tracker) {
            if (result.healthy()) {
                tracker.failures = 0;
                if (backend.ejected() && backend.endEjection(backend.ejectedUntilNanos())) {
                    LOG.infof("backend %s of pool %s back from ejection: its probe passed (%s)", backend.id(),
                            backend.pool(), result.detail());
                }
                if (backend.state() == BackendState.DOWN) {
                    int good = ++tracker.successes;
                    backend.rising(true);
                    if (good >= rise) {
                        tracker.successes = 0;
                        if (backend.transitionTo(BackendState.UP)) {
                            LOG.infof("backend %s UP: %d consecutive good probes (%s)", backend.id(), good,
                                    result.detail());
                        }
                    }
                } else {
                    tracker.successes = 0;
                }
            } else {
                tracker.successes = 0;
                backend.rising(false);
                if (backend.state() == BackendState.UP) {
                    int bad = ++tracker.failures;
                    if (bad >= fall) {
                        tracker.failures = 0;
                        if (backend.transitionTo(BackendState.DOWN)) {
                            LOG.warnf("backend %s DOWN: %d consecutive failed probes, last: %s", backend.id(), bad,
                                    result.detail());
                        }
                    }
                } else {
                    tracker.failures = 0;
                }
            }
        }
    }

    private Tracker tracker(Backend backend) {
        return trackers.computeIfAbsent(backend, ignored -> new Tracker());
    }

    /** Probe bookkeeping of one backend. Counters change under the tracker's lock; reads may be racy. */
    private static final class Tracker {
        final AtomicBoolean inFlight = new AtomicBoolean();
        /** When the last probe was due; a new backend waits one period, as it would for the next round. */
        volatile long lastDueNanos = System.nanoTime();
        volatile int failures;
        volatile int successes;
    }
}

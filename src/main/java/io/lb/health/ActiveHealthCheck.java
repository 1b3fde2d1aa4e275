package io.lb.health;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.lb.balancer.Backend;
import io.lb.balancer.BackendEvent;
import io.lb.balancer.BackendPool;
import io.lb.balancer.BackendState;
import io.lb.balancer.CheckResult;
import io.lb.config.LbConfig;
import io.lb.proxy.BackendClientProducer;
import io.quarkus.tls.TlsConfigurationRegistry;
import io.lb.config.StatusRanges;
import io.quarkus.scheduler.Scheduled;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;

/**
 * Active health checks: every {@code lb.health.interval} (default 20 s) each UP backend gets a {@code GET
 * lb.health.path}; backends that are DOWN, or UP but failed their last probe, are probed every
 * {@code lb.health.down-interval} (default 2 s, HAProxy's "fastinter") so that both recovery and confirmation of a
 * failure are quick. {@code lb.health.fall} failed probes in a row take a backend DOWN, {@code lb.health.rise} good
 * ones bring it back; each state change is logged once, with the reason.
 * <p>
 * All probes of a round run in parallel, each after a random delay of up to {@code lb.health.jitter} of the period
 * (so that replicas do not probe in lockstep). The scheduled methods only start the probes and return a
 * {@link CompletionStage} that completes when the round is over: nothing blocks the scheduler thread or an event
 * loop, and {@link Scheduled.ConcurrentExecution#SKIP} skips a tick while the previous round still runs.
 * <p>
 * Why a dedicated Vert.x {@link HttpClient} rather than quarkus-rest-client: a REST client is bound to a base URL
 * chosen at build or creation time, while the probe targets are a set of {@code host:port} that changes at run
 * time (admin API, discovery); a Vert.x client takes the host and port per request, sets a deadline per probe, and
 * completes a future on the event loop without a worker thread or a typed interface per backend. The client is
 * separate from the proxy's pooled one, so probes neither queue behind user traffic in the pool nor reuse a
 * warm connection that would hide a full listen queue.
 * <p>
 * Probes send {@code Connection: close} and the client does not keep connections alive: each probe performs a
 * fresh TCP connect, as HAProxy's checks do, so a backend that stopped accepting connections fails its check even
 * if an old connection would still be served.
 */
@ApplicationScoped
public class ActiveHealthCheck {

    private static final Logger LOG = Logger.getLogger(ActiveHealthCheck.class);
    static final String USER_AGENT = "quarkus-lb-health-check";

    private final Vertx vertx;
    private final BackendPool pool;
    private final HealthMeters meters;
    private final HttpClient client;
    private final StatusRanges healthyStatuses;
    private final String path;
    private final long timeoutMillis;
    private final long intervalMillis;
    private final long downIntervalMillis;
    private final double jitter;
    private final int fall;
    private final int rise;
    private final Map<Backend, Tracker> trackers = new ConcurrentHashMap<>();

    @Inject
    public ActiveHealthCheck(Vertx vertx, BackendPool pool, HealthMeters meters, LbConfig config,
            Instance<TlsConfigurationRegistry> tlsRegistry) {
        this.vertx = vertx;
        this.pool = pool;
        this.meters = meters;
        LbConfig.Health health = config.health();
        this.healthyStatuses = StatusRanges.parse("lb.health.statuses", health.statuses());
        this.path = health.path();
        this.timeoutMillis = Math.max(1, health.timeout().toMillis());
        this.intervalMillis = health.interval().toMillis();
        this.downIntervalMillis = health.downInterval().toMillis();
        this.jitter = health.jitter();
        this.fall = health.fall();
        this.rise = health.rise();
        HttpClientOptions options = new HttpClientOptions()
                .setKeepAlive(false)
                .setPipelining(false)
                .setTcpNoDelay(true)
                .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, timeoutMillis))
                .setDecompressionSupported(false)
                .setVerifyHost(true)
                .setName("lb-health-check");
        // probes must trust exactly what traffic trusts, or the two would disagree about https backends
        BackendClientProducer.applyTls(options, config.client().tls(), tlsRegistry);
        this.client = vertx.createHttpClient(options, new PoolOptions().setHttp1MaxSize(2));
        if (Math.min(intervalMillis, downIntervalMillis) < 1_000) {
            LOG.infof("lb.health.interval=%s, lb.health.down-interval=%s: the Quarkus scheduler fires at most once "
                    + "a second, so periods below 1s behave as 1s", health.interval(), health.downInterval());
        }
    }

    @PreDestroy
    void close() {
        client.close();
    }

    void onPoolChange(@Observes BackendEvent event) {
        if (event.kind() == BackendEvent.Kind.REMOVED) {
            trackers.remove(event.backend());
        }
    }

    /** The regular round: every UP backend (ejected ones included: ejection is about traffic, not liveness). */
    @Scheduled(identity = "lb-health-check", every = "${lb.health.interval}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    CompletionStage<Void> probeUpBackends() {
        return round(backend -> backend.state() == BackendState.UP, intervalMillis);
    }

    /** The fast round: DOWN backends (to see them recover) and UP ones that just failed a probe (to confirm). */
    @Scheduled(identity = "lb-health-check-down", every = "${lb.health.down-interval}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    CompletionStage<Void> probeDownBackends() {
        return round(backend -> backend.state() == BackendState.DOWN || tracker(backend).failures > 0,
                downIntervalMillis);
    }

    /** Probes every backend at once, without jitter; completes when all probes are over. */
    public Future<Void> probeAllNow() {
        return probeNow(backend -> true, 0);
    }

    /** Probes the selected backends in parallel; completes when all probes are over. */
    Future<Void> probeNow(Predicate<Backend> which, long periodMillis) {
        List<Future<Void>> probes = new ArrayList<>();
        for (Backend backend : pool.snapshot()) {
            if (which.test(backend)) {
                probes.add(probe(backend, (long) (periodMillis * jitter)));
            }
        }
        return Future.join(probes).mapEmpty();
    }

    private CompletionStage<Void> round(Predicate<Backend> which, long periodMillis) {
        return probeNow(which, periodMillis).toCompletionStage();
    }

    private Future<Void> probe(Backend backend, long maxDelayMillis) {
        Tracker tracker = tracker(backend);
        if (!tracker.inFlight.compareAndSet(false, true)) {
            return Future.succeededFuture(); // the other round is probing it right now
        }
        Promise<Void> done = Promise.promise();
        long delay = maxDelayMillis > 0 ? ThreadLocalRandom.current().nextLong(maxDelayMillis + 1) : 0;
        Runnable start = () -> sendSafely(backend).onComplete(outcome -> {
            try {
                record(backend, tracker, outcome.result());
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

    /** A probe that cannot fail: the round must always complete, or SKIP would skip every later tick. */
    private Future<CheckResult> sendSafely(Backend backend) {
        try {
            return send(backend);
        } catch (RuntimeException e) {
            return Future.succeededFuture(result(false, "probe not sent: " + describe(e)));
        }
    }

    /** One probe; the returned future always succeeds, with the verdict. */
    private Future<CheckResult> send(Backend backend) {
        Promise<CheckResult> verdict = Promise.promise();
        AtomicReference<HttpClientRequest> sent = new AtomicReference<>();
        long timer = vertx.setTimer(timeoutMillis,
                id -> verdict.tryComplete(result(false, "no response within " + Duration.ofMillis(timeoutMillis))));
        RequestOptions options = new RequestOptions()
                .setMethod(HttpMethod.GET)
                .setHost(backend.spec().host())
                .setPort(backend.spec().port())
                .setSsl(backend.spec().tls())
                .setURI(path)
                .putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE)
                .putHeader(HttpHeaders.USER_AGENT, USER_AGENT);
        client.request(options).onComplete(created -> {
            if (created.failed()) {
                verdict.tryComplete(result(false, "connection failed: " + describe(created.cause())));
                return;
            }
            HttpClientRequest request = created.result();
            request.exceptionHandler(ignored -> {
            });
            sent.set(request);
            if (verdict.future().isComplete()) {
                request.reset();
                return;
            }
            request.send().onComplete(head -> {
                if (head.failed()) {
                    verdict.tryComplete(result(false, "request failed: " + describe(head.cause())));
                    return;
                }
                // the body is not read: the reset below ends the exchange, quietly
                head.result().exceptionHandler(ignored -> {
                });
                int status = head.result().statusCode();
                verdict.tryComplete(result(healthyStatuses.contains(status), "status " + status));
            });
        });
        return verdict.future().onComplete(ignored -> {
            vertx.cancelTimer(timer);
            HttpClientRequest request = sent.get();
            if (request != null) {
                request.reset(); // the body is not needed; with Connection: close this just closes early
            }
        });
    }

    private void record(Backend backend, Tracker tracker, CheckResult result) {
        backend.lastCheck(result);
        meters.check(backend, result.healthy());
        synchronized (tracker) {
            if (result.healthy()) {
                tracker.failures = 0;
                if (backend.state() == BackendState.DOWN) {
                    int good = ++tracker.successes;
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

    private static CheckResult result(boolean healthy, String detail) {
        return new CheckResult(Instant.now(), healthy, detail);
    }

    private static String describe(Throwable cause) {
        String message = cause.getMessage();
        return message == null ? cause.getClass().getSimpleName() : message;
    }

    /** Probe bookkeeping of one backend. Counters change under the tracker's lock; reads may be racy. */
    private static final class Tracker {
        final AtomicBoolean inFlight = new AtomicBoolean();
        volatile int failures;
        volatile int successes;
    }
}

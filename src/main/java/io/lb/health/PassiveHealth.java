package io.lb.health;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import jakarta.inject.Singleton;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.lb.balancer.Backend;
import io.lb.balancer.BackendPool;
import io.lb.balancer.PoolRegistry;
import io.lb.balancer.BackendState;
import io.lb.config.PoolSettings;
import io.vertx.core.Vertx;

/**
 * Learns about backends from real traffic.
 * <ul>
 * <li>A backend that cannot be connected to (or resets the connection) is taken DOWN at once, so that least
 * connections never turns it into a black hole; the active checks bring it back after {@code lb.health.rise}
 * good probes.</li>
 * <li>Outlier ejection (Envoy's consecutive_5xx): a backend that answers, but with {@code lb.outlier.consecutive-errors}
 * 5xx responses or gateway errors in a row, is ejected for {@code base-ejection-time × ejections}, capped by
 * {@code max-ejection-time}. No ejection happens if it would leave more than {@code max-ejection-percent} of its
 * pool ejected (with one backend, nothing is ever ejected: ejecting it would only turn its 5xx into 503s). The
 * ejection ends by itself when its time is up ({@link Backend#acceptsTraffic()} compares with the clock); a
 * timer only logs the return.</li>
 * </ul>
 * Called on event loops for every response: the success path is one volatile read.
 */
@Singleton
public class PassiveHealth {

    private static final Logger LOG = Logger.getLogger(PassiveHealth.class);

    private final HealthMeters meters;
    private final Vertx vertx;
    /** Each pool's outlier settings, by pool name: read on every error, so resolved once. */
    private final Map<String, Outlier> outliers = new HashMap<>();

    /** One pool's ejection policy, in the units the hot path compares. */
    private record Outlier(BackendPool pool, int threshold, long baseEjectionNanos, long maxEjectionNanos,
            int maxEjectionPercent) {
    }

    @Inject
    public PassiveHealth(PoolRegistry pools, HealthMeters meters, Vertx vertx) {
        this.meters = meters;
        this.vertx = vertx;
        for (BackendPool pool : pools.all()) {
            PoolSettings.Outlier settings = pool.settings().outlier();
            outliers.put(pool.name(), new Outlier(pool, settings.consecutiveErrors(),
                    settings.baseEjectionTime().toNanos(), settings.maxEjectionTime().toNanos(),
                    settings.maxEjectionPercent()));
        }
    }

    /** The connection to {@code backend} failed or was reset: it is DOWN until an active check says otherwise. */
    public void connectionFailed(Backend backend, String reason) {
        backend.rising(false); // tried in panic while coming back, and refused: not rising after all
        if (backend.transitionTo(BackendState.DOWN)) {
            LOG.warnf("backend %s DOWN: %s (passive detection)", backend.id(), reason);
        }
    }

    /** {@code backend} took the request but gave no usable answer (timeout, closed early, cut body). */
    public void gatewayError(Backend backend, String reason) {
        error(backend, reason);
    }

    /** {@code backend} answered with {@code status}. */
    public void responded(Backend backend, int status) {
        if (status >= 500) {
            error(backend, "status " + status);
        } else {
            backend.clearConsecutiveErrors();
        }
    }

    private void error(Backend backend, String reason) {
        int run = backend.recordConsecutiveError();
        Outlier outlier = outliers.get(backend.pool());
        if (outlier != null && run >= outlier.threshold()) {
            tryEject(outlier, backend, run, reason);
        }
    }

    /** Rare path (a backend failing repeatedly): one lock so that the percentage cap holds across event loops. */
    private synchronized void tryEject(Outlier outlier, Backend backend, int run, String reason) {
        int threshold = outlier.threshold();
        long baseEjectionNanos = outlier.baseEjectionNanos();
        long maxEjectionNanos = outlier.maxEjectionNanos();
        int maxEjectionPercent = outlier.maxEjectionPercent();
        if (backend.ejected() || backend.state() != BackendState.UP || backend.consecutiveErrors() < threshold) {
            return;
        }
        Backend[] all = outlier.pool().snapshot();
        int ejected = 0;
        for (Backend other : all) {
            if (other.ejected()) {
                ejected++;
            }
        }
        if ((ejected + 1) * 100L > (long) maxEjectionPercent * all.length) {
            LOG.debugf("backend %s not ejected despite %d consecutive errors: %d of %d backends of pool %s already"
                    + " ejected (max-ejection-percent=%d)", backend.id(), run, ejected, all.length, backend.pool(),
                    maxEjectionPercent);
            return;
        }
        long now = System.nanoTime();
        long lastEnd = backend.lastEjectionEndNanos();
        if (lastEnd != 0 && now - lastEnd > maxEjectionNanos) {
            backend.resetEjections(); // well-behaved for a long time: start again from the base time
        }
        long duration = Math.min(maxEjectionNanos, baseEjectionNanos * (backend.ejections() + 1L));
        long until = now + duration;
        backend.eject(until);
        meters.ejection(backend);
        LOG.warnf("backend %s of pool %s EJECTED for %s: %d consecutive errors, last: %s (ejection #%d)",
                backend.id(), backend.pool(), Duration.ofNanos(duration), run, reason, backend.ejections());
        vertx.setTimer(Math.max(1, duration / 1_000_000), id -> {
            if (backend.endEjection(until)) {
                LOG.infof("backend %s back from ejection after %s", backend.id(), Duration.ofNanos(duration));
            }
        });
    }
}

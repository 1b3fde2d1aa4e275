package io.lb.proxy;

import java.util.Set;
import java.util.TreeSet;

import io.lb.config.PoolSettings;

/**
 * Every {@code reason} a retry can carry under a pool's retry settings, known at startup: the ways a try fails
 * ({@code connect}, {@code stale_connection}, {@code reset_unread}, {@code closed}, {@code protocol_error},
 * {@code timeout}, {@code queue_timeout}, {@code queue_full}) and {@code status_NNN} for each status of
 * {@code retry.on-statuses}. Metrics register each one at 0 before the first retry.
 */
public final class RetryReasons {

    private RetryReasons() {
    }

    public static Set<String> of(PoolSettings.Retry retry) {
        Set<String> reasons = new TreeSet<>();
        for (AttemptFailure.Kind kind : AttemptFailure.Kind.values()) {
            reasons.add(kind.reason());
        }
        for (int status : retry.onStatuses()) {
            reasons.add(ProxyExchange.statusReason(status));
        }
        return reasons;
    }
}

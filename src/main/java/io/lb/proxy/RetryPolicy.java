package io.lb.proxy;

import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

import io.lb.config.PoolSettings;
import io.vertx.core.http.HttpMethod;

/**
 * Decides whether a failed try may be sent again, to another backend of its pool (each pool has its own). The
 * rule that matters: a request the backend may already have acted on is only repeated when repeating it is
 * harmless (an idempotent method).
 */
final class RetryPolicy {

    private final int maxAttempts;
    private final Set<String> idempotentMethods;
    /** Indexed by status code: looked up for every response, so no boxing and no hashing. */
    private final boolean[] retryStatuses = new boolean[600];

    RetryPolicy(PoolSettings.Retry settings) {
        this.maxAttempts = settings.maxAttempts();
        this.idempotentMethods = settings.idempotentMethods().stream()
                .map(method -> method.trim().toUpperCase(Locale.ROOT))
                .collect(Collectors.toUnmodifiableSet());
        for (int status : settings.onStatuses()) {
            if (status >= 0 && status < retryStatuses.length) {
                retryStatuses[status] = true;
            }
        }
    }

    int maxAttempts() {
        return maxAttempts;
    }

    boolean idempotent(HttpMethod method) {
        return idempotentMethods.contains(method.name());
    }

    /** May a try that failed this way be sent again? Attempts, budget and deadline are checked elsewhere. */
    boolean allowsRetryAfter(AttemptFailure failure, HttpMethod method) {
        return switch (failure.kind()) {
            case CONNECT, STALE_CONNECTION, RESET_UNREAD, QUEUE_TIMEOUT, QUEUE_FULL -> true;
            case CLOSED, PROTOCOL_ERROR, TIMEOUT -> idempotent(method);
        };
    }

    /**
     * Does a retry after this failure draw on the retry budget? The budget exists against retry storms: load
     * multiplied on backends that are overloaded (slow, answering errors). A backend that refused, reset or
     * dropped the connection is gone, not overloaded, and failing over from it must not be rationed: when one of
     * three backends dies, a third of the requests in flight need a retry at the same moment.
     */
    boolean budgeted(AttemptFailure failure) {
        return failure == null || failure.timedOut();
    }

    /** May a response with this status be replaced by a try at another backend? */
    boolean allowsRetryOn(int status, HttpMethod method) {
        return status >= 0 && status < retryStatuses.length && retryStatuses[status] && idempotent(method);
    }
}

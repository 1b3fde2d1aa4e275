package io.lb.proxy;

import java.io.IOException;
import java.util.Locale;

import io.lb.client.ProtocolViolation;
import io.lb.client.QueueFullException;
import io.lb.client.QueueTimeoutException;
import io.vertx.core.http.ConnectionPoolTooBusyException;
import io.vertx.core.http.HttpClosedException;

/** Why one try at one backend produced no response, in the terms the retry policy and health care about. */
final class AttemptFailure extends Exception {

    enum Kind {
        /** No connection could be made (refused, unreachable, connect timeout): the request never left. */
        CONNECT,
        /**
         * The pooled connection handed to this try closed before the request was written (the balancer reset it
         * for an aborted exchange, or the backend closed it while idle): nothing was sent, and the backend is
         * not at fault.
         */
        STALE_CONNECTION,
        /**
         * The backend reset the connection before any response byte. A reset, unlike an orderly close, means
         * the backend's socket still held bytes it had not read, so it never took the whole request in: the
         * classic case is a pooled keep-alive connection the backend had already closed.
         */
        RESET_UNREAD,
        /** The connection closed before the response headers: the backend may have acted on the request. */
        CLOSED,
        /**
         * The backend broke HTTP's framing or grammar ({@link ProtocolViolation}): the connection was closed, and
         * the backend may have acted on the request.
         */
        PROTOCOL_ERROR,
        /** No response headers within the per-try timeout. */
        TIMEOUT,
        /**
         * The per-try timeout ran out before the try had a connection: every pooled connection to the backend was
         * busy (or the connect was still under way). Nothing was sent, so any method may go elsewhere.
         */
        QUEUE_TIMEOUT,
        /**
         * Every pooled connection to the backend was busy and the line for one was full
         * ({@code lb.client.max-pending-per-backend}): turned away at once, nothing was sent. The backend is busy,
         * not failing: no passive health, no outlier count, and any method may go elsewhere.
         */
        QUEUE_FULL;

        private final String reason = name().toLowerCase(Locale.ROOT);

        /** The {@code reason} tag of a retry or a failed try after this kind of failure. */
        String reason() {
            return reason;
        }
    }

    private final Kind kind;

    AttemptFailure(Kind kind, Throwable cause) {
        super(kind + ": " + (cause == null ? "" : cause.getMessage()), cause, false, false);
        this.kind = kind;
    }

    Kind kind() {
        return kind;
    }

    /** What the backend did wrong, for a {@link Kind#PROTOCOL_ERROR}; null otherwise. */
    ProtocolViolation.Kind violation() {
        return getCause() instanceof ProtocolViolation violation ? violation.kind() : null;
    }

    /** The {@code reason} of a retry or a failed try: the kind in lower case. */
    String reason() {
        return kind.reason;
    }

    /** The backend took too long, whether to answer or to free a connection for the try. */
    boolean timedOut() {
        return kind == Kind.TIMEOUT || kind == Kind.QUEUE_TIMEOUT;
    }

    /** The backend cannot be reached or drops connections: passive health takes it out at once. */
    boolean backendUnreachable() {
        return kind == Kind.CONNECT || kind == Kind.RESET_UNREAD;
    }

    /**
     * The connection could not be had: a real connect failure, a pooled connection that closed, or a wait in line
     * for one that was refused or ran out.
     */
    static AttemptFailure beforeSend(Throwable cause) {
        Kind kind;
        if (cause instanceof HttpClosedException) {
            kind = Kind.STALE_CONNECTION;
        } else if (cause instanceof QueueFullException || cause instanceof ConnectionPoolTooBusyException) {
            kind = Kind.QUEUE_FULL;
        } else if (cause instanceof QueueTimeoutException) {
            kind = Kind.QUEUE_TIMEOUT;
        } else {
            kind = Kind.CONNECT;
        }
        return new AttemptFailure(kind, cause);
    }

    static AttemptFailure afterSend(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof AttemptFailure failure) {
                return failure;
            }
            if (t instanceof ProtocolViolation violation) {
                return new AttemptFailure(Kind.PROTOCOL_ERROR, violation);
            }
        }
        return new AttemptFailure(isReset(cause) ? Kind.RESET_UNREAD : Kind.CLOSED, cause);
    }

    private static boolean isReset(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof IOException && t.getMessage() != null) {
                String message = t.getMessage().toLowerCase(Locale.ROOT);
                if (message.contains("connection reset") || message.contains("broken pipe")) {
                    return true;
                }
            }
        }
        return false;
    }
}

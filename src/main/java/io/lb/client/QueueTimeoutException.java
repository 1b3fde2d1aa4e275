package io.lb.client;

/**
 * A try waited for a pooled connection for longer than {@code lb.timeout.response}: its own per-try timeout has run
 * out (or is about to), so it is taken out of the line instead of being handed a connection nobody will use.
 */
public final class QueueTimeoutException extends RuntimeException {

    QueueTimeoutException() {
        super("no connection to the backend within lb.timeout.response", null, false, false);
    }
}

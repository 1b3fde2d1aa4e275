package io.lb.client;

/**
 * Every pooled connection to the backend is busy and the line of tries waiting for one is full
 * ({@code lb.client.max-pending-per-backend}): the try is turned away at once, nothing was sent.
 */
public final class QueueFullException extends RuntimeException {

    QueueFullException(int limit) {
        super("every connection to the backend is busy and " + limit + " tries already wait for one", null, false,
                false);
    }
}

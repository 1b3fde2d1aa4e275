package io.lb.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.net.ConnectException;

import org.junit.jupiter.api.Test;

import io.vertx.core.http.HttpClosedException;

/** How failures are read: only a reset proves the backend never took the request in. */
class AttemptFailureTest {

    @Test
    void resetAndBrokenPipeMeanTheBackendDidNotReadTheRequest() {
        assertEquals(AttemptFailure.Kind.RESET_UNREAD,
                AttemptFailure.afterSend(new IOException("recvAddress(..) failed: Connection reset by peer")).kind());
        assertEquals(AttemptFailure.Kind.RESET_UNREAD,
                AttemptFailure.afterSend(new RuntimeException(new IOException("Broken pipe"))).kind());
    }

    @Test
    void anOrderlyCloseMeansTheBackendMayHaveActed() {
        assertEquals(AttemptFailure.Kind.CLOSED,
                AttemptFailure.afterSend(new HttpClosedException("Connection was closed")).kind());
        assertEquals(AttemptFailure.Kind.CLOSED, AttemptFailure.afterSend(new ConnectException("odd")).kind());
    }

    @Test
    void aPooledConnectionThatClosedBeforeTheRequestLeftIsNotTheBackendsFault() {
        assertEquals(AttemptFailure.Kind.STALE_CONNECTION,
                AttemptFailure.beforeSend(new HttpClosedException("Connection was closed")).kind());
        assertEquals(AttemptFailure.Kind.CONNECT,
                AttemptFailure.beforeSend(new ConnectException("Connection refused")).kind());
        assertFalse(AttemptFailure.beforeSend(new HttpClosedException("Connection was closed")).backendUnreachable());
    }

    @Test
    void ourOwnTimeoutIsRecognisedThroughWrapping() {
        AttemptFailure timeout = new AttemptFailure(AttemptFailure.Kind.TIMEOUT, null);
        assertEquals(AttemptFailure.Kind.TIMEOUT, AttemptFailure.afterSend(new RuntimeException(timeout)).kind());
    }
}

package io.lb.client;

import io.lb.config.BackendSpec;

/** Hears of every protocol violation a backend commits, whether or not an exchange failed with it. */
@FunctionalInterface
public interface ProtocolErrorListener {

    void protocolError(BackendSpec backend, ProtocolViolation violation);
}

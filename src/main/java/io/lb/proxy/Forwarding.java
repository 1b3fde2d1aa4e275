package io.lb.proxy;

import io.lb.client.BackendClient;
import io.lb.health.PassiveHealth;
import io.vertx.core.Vertx;

/**
 * What every exchange shares, whatever its route: the client that reaches backends, the retry budget, passive
 * health, the listeners, the headers every backend is sent, request ids, and the deployment's limits. Made once at startup.
 */
record Forwarding(Vertx vertx, BackendClient client, RetryBudget budget, PassiveHealth health,
        ExchangeListener listeners, OutgoingHeaders headers, RequestIds requestIds,
        ClosingConnections closingConnections,
        long bodyBufferBytes, long idleTimeoutMillis, long requestBodyIdleMillis, long overallTimeoutNanos) {
}

package io.lb.proxy;

import io.vertx.core.http.HttpServerRequest;

/** A request the balancer answered itself before any route or backend: refused, or matched by no route. */
final class TurnedAway extends ExchangeRecord {

    TurnedAway(HttpServerRequest request, RouteTarget target, String requestId, int status, Outcome outcome) {
        super(request, target == null ? null : target.route(), target == null ? null : target.upstream().name(),
                requestId);
        ended(null, status, outcome, System.nanoTime());
    }

    @Override
    public int tries() {
        return 0;
    }
}

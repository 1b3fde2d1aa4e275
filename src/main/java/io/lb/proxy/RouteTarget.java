package io.lb.proxy;

import io.lb.routing.Route;

/**
 * What a route leads to: the route itself (prefix, header rewrites), its pool's {@link Upstream}, and its rate
 * limiter (null when it has none).
 */
record RouteTarget(Route route, Upstream upstream, RateLimiter limiter) {
}

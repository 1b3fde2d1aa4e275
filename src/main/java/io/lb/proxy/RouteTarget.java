package io.lb.proxy;

import io.lb.routing.Route;

/** What a route leads to: the route itself (prefix, header rewrites) and its pool's {@link Upstream}. */
record RouteTarget(Route route, Upstream upstream) {
}

package io.lb.routing;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import org.jboss.logging.Logger;

import io.lb.config.InvalidConfigException;
import io.lb.config.LbConfig;
import io.lb.config.PoolSettings;

/**
 * Reads {@code lb.routes.<route>.*} into routes, refusing what cannot be served and naming the key: a route
 * without a pool or to an unknown one, a malformed host pattern, a path prefix without its leading {@code /}, two
 * routes for the same host and prefix. The default pool, when there is one, also gets a catch-all route last
 * (unless a configured route already takes every host and path); a pool no route reaches is logged.
 */
public final class RoutesConfig {

    private static final Logger LOG = Logger.getLogger(RoutesConfig.class);

    private RoutesConfig() {
    }

    /** The routes of {@code config}, for the pools named {@code pools}. */
    public static List<Route> read(LbConfig config, Set<String> pools) {
        List<Route> routes = new ArrayList<>();
        Map<String, String> keyOfPlace = new HashMap<>();
        for (Map.Entry<String, LbConfig.RouteSettings> entry : new TreeMap<>(config.routes()).entrySet()) {
            String name = entry.getKey();
            String prefix = "lb.routes." + name + ".";
            Route route = read(routes.size(), name, prefix, entry.getValue(), pools);
            String place = route.describe();
            String clash = keyOfPlace.putIfAbsent(place, prefix + "path-prefix");
            if (clash != null) {
                throw new InvalidConfigException(prefix + "path-prefix: invalid value '" + route.pathPrefix()
                        + "': the route for " + place + " is already " + clash.substring(0, clash.lastIndexOf('.'))
                        + " (two routes for the same host and path prefix)");
            }
            routes.add(route);
        }
        if (pools.contains(PoolSettings.DEFAULT) && !keyOfPlace.containsKey("/")) {
            routes.add(Route.catchAll(routes.size(), PoolSettings.DEFAULT));
        }
        warnAboutUnreachablePools(routes, pools);
        return routes;
    }

    private static Route read(int id, String name, String prefix, LbConfig.RouteSettings settings,
            Set<String> pools) {
        String pool = settings.pool().map(String::strip).orElse("");
        if (pool.isEmpty()) {
            throw new InvalidConfigException(prefix + "pool is missing: the route '" + name
                    + "' must name the pool it leads to (one of " + pools + ")");
        }
        if (!pools.contains(pool)) {
            throw new InvalidConfigException(prefix + "pool: invalid value '" + pool + "': no such pool (the pools"
                    + " are " + pools + ": lb.pools.<pool>.backends, or lb.backends for '" + PoolSettings.DEFAULT
                    + "')");
        }
        HostPattern host = settings.host().filter(text -> !text.isBlank())
                .map(text -> HostPattern.parse(prefix + "host", text)).orElse(null);
        String path = settings.pathPrefix().strip();
        if (!path.startsWith("/") || path.chars().anyMatch(c -> c <= 32 || c >= 127 || c == '?' || c == '#')) {
            throw new InvalidConfigException(prefix + "path-prefix: invalid value '" + settings.pathPrefix()
                    + "': must start with / (a path, without query, spaces or control characters)");
        }
        return new Route(id, name, host, path, settings.stripPrefix(), pool,
                rewrite(prefix + "request-headers", settings.requestHeaders()),
                rewrite(prefix + "response-headers", settings.responseHeaders()));
    }

    private static HeaderRewrite rewrite(String prefix, LbConfig.HeaderChanges changes) {
        List<String> removed = changes.remove().orElse(List.of()).stream().map(String::strip)
                .filter(name -> !name.isEmpty()).toList();
        for (String name : removed) {
            checkName(prefix + ".remove", name);
        }
        for (Map.Entry<String, String> set : changes.set().entrySet()) {
            checkName(prefix + ".set." + set.getKey(), set.getKey());
            if (set.getValue().chars().anyMatch(c -> c < 32 && c != '\t' || c == 127)) {
                throw new InvalidConfigException(prefix + ".set." + set.getKey() + ": invalid value '"
                        + set.getValue() + "': control characters are not allowed in a header value");
            }
        }
        if (removed.isEmpty() && changes.set().isEmpty()) {
            return HeaderRewrite.NONE;
        }
        return new HeaderRewrite(changes.set(), removed);
    }

    private static void checkName(String key, String name) {
        if (name.isEmpty() || !name.chars().allMatch(c -> c > 32 && c < 127 && "()<>@,;:\\\"/[]?={}".indexOf(c) < 0)) {
            throw new InvalidConfigException(key + ": invalid value '" + name + "': not a header name");
        }
    }

    private static void warnAboutUnreachablePools(List<Route> routes, Set<String> pools) {
        Set<String> unreachable = new LinkedHashSet<>(pools);
        routes.forEach(route -> unreachable.remove(route.pool()));
        for (String pool : unreachable) {
            LOG.warnf("pool '%s' is reached by no route (lb.routes.<route>.pool=%s) and is not the default pool:"
                    + " it gets no traffic", pool, pool);
        }
    }
}

package io.lb.routing;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Finds the route of a request, most specific first: an exact host over a wildcard host (the longest suffix first)
 * over no host; among those, the longest path prefix. Built once from the configured routes; a lookup hashes the
 * host at most once per label and allocates nothing.
 *
 * @param <T> what a route leads to (the proxy's view of its pool)
 */
public final class RouteTable<T> {

    private final HostTable<Object[]> exact;
    private final HostTable<Object[]> wildcard;
    private final boolean hasWildcards;
    private final Object[] anyHost;
    private final List<Route> routes;

    /** A route and what it leads to, in the order a lookup tries them. */
    private record Entry<T>(Route route, T target) {
    }

    public RouteTable(List<Route> routes, Function<Route, T> targets) {
        this.routes = List.copyOf(routes);
        Map<String, List<Entry<T>>> exactHosts = new LinkedHashMap<>();
        Map<String, List<Entry<T>>> suffixes = new LinkedHashMap<>();
        List<Entry<T>> any = new ArrayList<>();
        for (Route route : routes) {
            Entry<T> entry = new Entry<>(route, targets.apply(route));
            if (route.host() == null) {
                any.add(entry);
            } else if (route.host().wildcard()) {
                suffixes.computeIfAbsent(route.host().suffix(), ignored -> new ArrayList<>()).add(entry);
            } else {
                exactHosts.computeIfAbsent(route.host().value(), ignored -> new ArrayList<>()).add(entry);
            }
        }
        this.exact = new HostTable<>(longestPrefixFirst(exactHosts));
        this.wildcard = new HostTable<>(longestPrefixFirst(suffixes));
        this.hasWildcards = !suffixes.isEmpty();
        this.anyHost = sorted(any);
    }

    public List<Route> routes() {
        return routes;
    }

    /**
     * What the most specific route for {@code host} (a name without port, any case; null when the request named
     * none) and {@code uri} (origin-form) leads to, or null when no route matches.
     */
    public T match(String host, String uri) {
        Entry<T> found = find(host, uri);
        return found == null ? null : found.target();
    }

    /** The matching route itself, or null. */
    public Route route(String host, String uri) {
        Entry<T> found = find(host, uri);
        return found == null ? null : found.route();
    }

    private Entry<T> find(String host, String uri) {
        if (host != null) {
            int end = host.length();
            if (end > 0 && host.charAt(end - 1) == '.') {
                end--; // the fully qualified form names the same host
            }
            Entry<T> found = first(exact.get(host, 0, end), uri);
            if (found != null) {
                return found;
            }
            if (hasWildcards) {
                for (int dot = host.indexOf('.'); dot >= 0 && dot < end; dot = host.indexOf('.', dot + 1)) {
                    found = first(wildcard.get(host, dot, end), uri);
                    if (found != null) {
                        return found;
                    }
                }
            }
        }
        return first(anyHost, uri);
    }

    @SuppressWarnings("unchecked")
    private Entry<T> first(Object[] entries, String uri) {
        if (entries != null) {
            for (Object entry : entries) {
                Entry<T> candidate = (Entry<T>) entry;
                if (candidate.route().matchesPath(uri)) {
                    return candidate;
                }
            }
        }
        return null;
    }

    private static <T> Map<String, Object[]> longestPrefixFirst(Map<String, List<Entry<T>>> byHost) {
        Map<String, Object[]> sorted = new LinkedHashMap<>();
        byHost.forEach((host, entries) -> sorted.put(host, sorted(entries)));
        return sorted;
    }

    private static <T> Object[] sorted(List<Entry<T>> entries) {
        List<Entry<T>> copy = new ArrayList<>(entries);
        copy.sort(Comparator.comparingInt((Entry<T> entry) -> entry.route().pathPrefix().length()).reversed());
        return copy.toArray();
    }
}

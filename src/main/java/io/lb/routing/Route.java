package io.lb.routing;

/**
 * Where requests for a host and path prefix go: a named pool, with the prefix optionally stripped and headers
 * rewritten on the way in ({@code request}) and out ({@code response}). {@code host} is null for any host.
 * {@code id} numbers the routes of a table from 0, so that per-route state can live in arrays.
 */
public record Route(int id, String name, HostPattern host, String pathPrefix, boolean stripPrefix, String pool,
        HeaderRewrite request, HeaderRewrite response) {

    /** The route the default pool gets when no configured route covers every request. */
    public static Route catchAll(int id, String pool) {
        return new Route(id, pool, null, "/", false, pool, HeaderRewrite.NONE, HeaderRewrite.NONE);
    }

    /**
     * Does {@code uri} (origin-form: path, then maybe a query) start with the prefix at a segment boundary?
     * {@code /api} matches {@code /api}, {@code /api/x} and {@code /api?q}, not {@code /apix}.
     */
    public boolean matchesPath(String uri) {
        String prefix = pathPrefix;
        if (!uri.startsWith(prefix)) {
            return false;
        }
        int end = prefix.length();
        if (uri.length() == end || prefix.charAt(end - 1) == '/') {
            return true;
        }
        char next = uri.charAt(end);
        return next == '/' || next == '?';
    }

    /** The URI the backend is sent: as received, or without the prefix ({@code /api/x} → {@code /x}). */
    public String forwardedUri(String uri) {
        if (!stripPrefix || pathPrefix.equals("/")) {
            return uri;
        }
        int end = pathPrefix.charAt(pathPrefix.length() - 1) == '/' ? pathPrefix.length() - 1 : pathPrefix.length();
        if (end >= uri.length()) {
            return "/";
        }
        return uri.charAt(end) == '?' ? "/" + uri.substring(end) : uri.substring(end);
    }

    /** How the route reads in logs and the admin API: {@code api.example.com/api}, {@code *.example.com/}. */
    public String describe() {
        return (host == null ? "" : host.toString()) + pathPrefix;
    }
}

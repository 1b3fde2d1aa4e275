package io.lb.config;

/**
 * One backend as written in configuration: where it is and how much traffic it should take relative to the
 * others, and, once it has joined one, the pool it serves (empty until then). Connections are kept per spec, so
 * two pools that list the same URL do not share connections.
 */
public record BackendSpec(String scheme, String host, int port, int weight, String pool) {

    public BackendSpec(String scheme, String host, int port, int weight) {
        this(scheme, host, port, weight, "");
    }

    public boolean tls() {
        return "https".equals(scheme);
    }

    /** The backend's identity within its pool: two specs with the same URL are the same backend. */
    public String url() {
        return scheme + "://" + authority();
    }

    /** Host and port as a Host header or a URL writes them (an IPv6 literal in brackets). */
    public String authority() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    public BackendSpec withWeight(int newWeight) {
        return new BackendSpec(scheme, host, port, newWeight, pool);
    }

    public BackendSpec inPool(String name) {
        return new BackendSpec(scheme, host, port, weight, name);
    }
}

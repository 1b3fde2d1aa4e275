package io.lb.config;

/**
 * One backend as written in configuration: where it is and how much traffic it should take relative to the
 * others.
 */
public record BackendSpec(String scheme, String host, int port, int weight) {

    public boolean tls() {
        return "https".equals(scheme);
    }

    /** The backend's identity: two specs with the same URL are the same backend, whatever their weight. */
    public String url() {
        return scheme + "://" + authority();
    }

    /** Host and port as a Host header or a URL writes them (an IPv6 literal in brackets). */
    public String authority() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    public BackendSpec withWeight(int newWeight) {
        return new BackendSpec(scheme, host, port, newWeight);
    }
}

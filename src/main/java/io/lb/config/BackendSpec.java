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
        String printableHost = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
        return scheme + "://" + printableHost + ":" + port;
    }

    public BackendSpec withWeight(int newWeight) {
        return new BackendSpec(scheme, host, port, newWeight);
    }
}

package io.lb.proxy;

/** How a client request ended (the {@code outcome} tag of {@code lb_requests_total}). */
public enum Outcome {
    /** A backend's response reached the client whole (whatever its status). */
    SUCCESS,
    /** Backends failed: the client got a 502, or a response cut short. */
    BACKEND_ERROR,
    /** Backends did not answer in time: the client got a 504. */
    TIMEOUT,
    /** No backend could take the request: the client got a 503. */
    NO_BACKEND,
    /** The client went away before the response was complete. */
    CLIENT_ABORT,
    /** The balancer turned the request away (ambiguous framing, CONNECT, too many headers). */
    REJECTED,
    /** No route matched the request's host and path, and there is no default pool: the client got a 404. */
    NO_ROUTE;

    private final String tag = name().toLowerCase(java.util.Locale.ROOT);

    /** The value of the {@code outcome} tag: the name in lower case. */
    public String tag() {
        return tag;
    }
}

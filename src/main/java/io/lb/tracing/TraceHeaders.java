package io.lb.tracing;

import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapSetter;
import io.vertx.core.MultiMap;

/** The W3C propagator's view of Vert.x header maps: the client's request headers, a try's backend request headers. */
final class TraceHeaders {

    private TraceHeaders() {
    }

    static final TextMapGetter<MultiMap> GETTER = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(MultiMap carrier) {
            return carrier.names();
        }

        @Override
        public String get(MultiMap carrier, String key) {
            return carrier == null ? null : carrier.get(key);
        }
    };

    /**
     * Sets {@code traceparent}, replacing the client's (copied with the other end-to-end headers). The client's
     * {@code tracestate} was copied too and stays exactly as it was sent: the propagator would write the same
     * entries, but normalised (the whitespace around its commas dropped).
     */
    static final TextMapSetter<MultiMap> SETTER = (carrier, key, value) -> {
        if (carrier != null && !"tracestate".equals(key)) {
            carrier.set(key, value);
        }
    };
}

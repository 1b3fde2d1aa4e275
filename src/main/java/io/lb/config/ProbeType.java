package io.lb.config;

import java.util.Locale;

/** What an active health probe asks a backend ({@code lb.health.type}). */
public enum ProbeType {
    /** A GET of {@code lb.health.path}, healthy when its status is one of {@code lb.health.statuses}. */
    HTTP,
    /** {@code grpc.health.v1.Health/Check} for {@code lb.health.grpc.service}, healthy when SERVING. */
    GRPC,
    /** A TCP connect, healthy when it is accepted. */
    TCP;

    /** The type named by {@code value} (any case); anything else is refused, naming {@code key}. */
    public static ProbeType parse(String key, String value) {
        String name = value.strip().toUpperCase(Locale.ROOT);
        for (ProbeType type : values()) {
            if (type.name().equals(name)) {
                return type;
            }
        }
        throw new InvalidConfigException(key + ": invalid value '" + value + "': use http, grpc or tcp");
    }
}

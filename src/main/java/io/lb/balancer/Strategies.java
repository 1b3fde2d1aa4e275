package io.lb.balancer;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import io.lb.config.InvalidConfigException;

/** The strategies {@code lb.strategy} (and {@code lb.pools.<pool>.strategy}) can name. */
public final class Strategies {

    /** What a strategy may be tuned with: the same for every strategy, each reads what it needs. */
    public record Options(long slowStartNanos, double latencyDecayNanos) {
    }

    @FunctionalInterface
    interface Factory {
        LoadBalancingStrategy create(Options options);
    }

    private static final Map<String, Factory> BY_NAME = new LinkedHashMap<>();

    static {
        BY_NAME.put("least-connections", options -> new LeastConnections(options.slowStartNanos()));
        BY_NAME.put("peak-ewma", options -> new PeakEwma(options.slowStartNanos(), options.latencyDecayNanos()));
    }

    private Strategies() {
    }

    /** The strategy called {@code name}; an unknown name fails, naming {@code key}. */
    public static LoadBalancingStrategy create(String key, String name, Options options) {
        Factory factory = BY_NAME.get(name.strip().toLowerCase(Locale.ROOT));
        if (factory == null) {
            throw new InvalidConfigException(key + ": invalid value '" + name + "': unknown strategy (use "
                    + String.join(" or ", BY_NAME.keySet()) + ")");
        }
        return factory.create(options);
    }
}

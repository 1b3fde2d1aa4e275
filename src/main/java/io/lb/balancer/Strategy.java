package io.lb.balancer;

import io.lb.config.InvalidConfigException;

/** The values of {@code lb.strategy}. */
public enum Strategy {
    LEAST_CONNECTIONS("least-connections"),
    PEAK_EWMA("peak-ewma");

    public static final String KEY = "lb.strategy";

    private final String configName;

    Strategy(String configName) {
        this.configName = configName;
    }

    public static Strategy parse(String value) {
        for (Strategy strategy : values()) {
            if (strategy.configName.equalsIgnoreCase(value.trim())) {
                return strategy;
            }
        }
        throw new InvalidConfigException(KEY + ": invalid value '" + value
                + "': unknown strategy (use least-connections or peak-ewma)");
    }
}

package io.lb.config;

/** A configuration value the balancer refuses to start with. The message names the key and the value. */
public class InvalidConfigException extends IllegalArgumentException {

    public InvalidConfigException(String message) {
        super(message);
    }
}

package io.lb.config;

import java.time.Duration;
import java.util.Locale;
import java.util.Set;

import io.vertx.core.http.HttpMethod;

/**
 * Rejects configuration that parses but makes no sense (a zero timeout, no attempts), naming the key and the
 * value, before the balancer accepts a single request.
 */
public final class ConfigValidator {

    private static final Set<String> KNOWN_METHODS = Set.of(
            "GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "TRACE", "PATCH");

    private ConfigValidator() {
    }

    public static void validate(LbConfig config) {
        positive("lb.client.max-connections-per-backend", config.client().maxConnectionsPerBackend());
        positive("lb.client.keep-alive-timeout", config.client().keepAliveTimeout());
        positive("lb.timeout.connect", config.timeout().connect());
        positive("lb.timeout.response", config.timeout().response());
        positive("lb.timeout.idle", config.timeout().idle());
        positive("lb.timeout.overall", config.timeout().overall());
        positive("lb.retry.max-attempts", config.retry().maxAttempts());
        for (String method : config.retry().idempotentMethods()) {
            String name = method.trim().toUpperCase(Locale.ROOT);
            if (!KNOWN_METHODS.contains(name) && !isToken(name)) {
                throw new InvalidConfigException(
                        "lb.retry.idempotent-methods: invalid value '" + method + "': not an HTTP method");
            }
        }
        config.retry().onStatuses().ifPresent(statuses -> statuses.forEach(status -> {
            if (status < 100 || status > 599) {
                throw new InvalidConfigException(
                        "lb.retry.on-statuses: invalid value '" + status + "': not an HTTP status (100-599)");
            }
        }));
        if (config.retry().bodyBufferSize().asLongValue() < 0) {
            throw new InvalidConfigException("lb.retry.body-buffer-size: invalid value '"
                    + config.retry().bodyBufferSize().asLongValue() + "': must not be negative");
        }
        double ratio = config.retry().budget().ratio();
        if (!(ratio >= 0 && ratio <= 1)) {
            throw new InvalidConfigException(
                    "lb.retry.budget.ratio: invalid value '" + ratio + "': must be between 0 and 1");
        }
        notNegative("lb.retry.budget.min-concurrent", config.retry().budget().minConcurrent());
    }

    public static void positive(String key, Duration value) {
        if (value.isNegative() || value.isZero()) {
            throw new InvalidConfigException(key + ": invalid value '" + value + "': must be a positive duration");
        }
    }

    public static void positive(String key, long value) {
        if (value < 1) {
            throw new InvalidConfigException(key + ": invalid value '" + value + "': must be at least 1");
        }
    }

    public static void notNegative(String key, long value) {
        if (value < 0) {
            throw new InvalidConfigException(key + ": invalid value '" + value + "': must not be negative");
        }
    }

    private static boolean isToken(String method) {
        try {
            HttpMethod.valueOf(method);
            return !method.isEmpty() && method.chars().allMatch(c -> c > 32 && c < 127 && "()<>@,;:\\\"/[]?={}".indexOf(c) < 0);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}

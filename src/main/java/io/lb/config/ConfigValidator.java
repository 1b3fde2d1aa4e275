package io.lb.config;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import io.lb.balancer.Strategy;
import io.lb.proxy.TrustedProxies;
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
        positive("lb.client.max-pending-per-backend", config.client().maxPendingPerBackend());
        positive("lb.client.keep-alive-timeout", config.client().keepAliveTimeout());
        positive("lb.timeout.connect", config.timeout().connect());
        positive("lb.timeout.response", config.timeout().response());
        positive("lb.timeout.idle", config.timeout().idle());
        positive("lb.timeout.overall", config.timeout().overall());
        positive("lb.timeout.request-header", config.timeout().requestHeader());
        positive("lb.timeout.request-body-idle", config.timeout().requestBodyIdle());
        positive("lb.retry.max-attempts", config.retry().maxAttempts());
        positive("lb.limits.max-headers", config.limits().maxHeaders());
        Strategy.parse(config.strategy());
        positive("lb.latency-decay", config.latencyDecay());
        TrustedProxies.parse(config.forwarded().trustedProxies().orElse(List.of()));
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
        validateHealth(config);
    }

    static void validateHealth(LbConfig config) {
        LbConfig.Health health = config.health();
        positive("lb.health.interval", health.interval());
        positive("lb.health.down-interval", health.downInterval());
        positive("lb.health.timeout", health.timeout());
        if (health.path().isEmpty() || health.path().charAt(0) != '/' || health.path().chars().anyMatch(c -> c <= 32 || c >= 127)) {
            throw new InvalidConfigException("lb.health.path: invalid value '" + health.path()
                    + "': must be an origin-form path starting with / (no spaces or control characters)");
        }
        StatusRanges.parse("lb.health.statuses", health.statuses());
        positive("lb.health.fall", health.fall());
        positive("lb.health.rise", health.rise());
        double jitter = health.jitter();
        if (!(jitter >= 0 && jitter <= 1)) {
            throw new InvalidConfigException(
                    "lb.health.jitter: invalid value '" + jitter + "': must be between 0 and 1 (a share of the interval)");
        }
        LbConfig.Outlier outlier = config.outlier();
        positive("lb.outlier.consecutive-errors", outlier.consecutiveErrors());
        positive("lb.outlier.base-ejection-time", outlier.baseEjectionTime());
        positive("lb.outlier.max-ejection-time", outlier.maxEjectionTime());
        if (outlier.maxEjectionTime().compareTo(outlier.baseEjectionTime()) < 0) {
            throw new InvalidConfigException("lb.outlier.max-ejection-time: invalid value '"
                    + outlier.maxEjectionTime() + "': must not be below lb.outlier.base-ejection-time ("
                    + outlier.baseEjectionTime() + ")");
        }
        int percent = outlier.maxEjectionPercent();
        if (percent < 0 || percent > 100) {
            throw new InvalidConfigException(
                    "lb.outlier.max-ejection-percent: invalid value '" + percent + "': must be between 0 and 100");
        }
        if (config.slowStart().window().isNegative() || config.slowStart().window().compareTo(Duration.ofHours(24)) > 0) {
            throw new InvalidConfigException("lb.slow-start.window: invalid value '" + config.slowStart().window()
                    + "': must be between 0 (disabled) and 24h");
        }
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

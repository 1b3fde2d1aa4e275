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

    /** Checks the global keys, then every pool's own. */
    public static void validate(LbConfig config) {
        positive("lb.client.max-connections-per-backend", config.client().maxConnectionsPerBackend());
        positive("lb.client.max-pending-per-backend", config.client().maxPendingPerBackend());
        positive("lb.client.keep-alive-timeout", config.client().keepAliveTimeout());
        positive("lb.timeout.connect", config.timeout().connect());
        positive("lb.timeout.idle", config.timeout().idle());
        positive("lb.timeout.overall", config.timeout().overall());
        positive("lb.timeout.request-header", config.timeout().requestHeader());
        positive("lb.timeout.request-body-idle", config.timeout().requestBodyIdle());
        positive("lb.limits.max-headers", config.limits().maxHeaders());
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
        validatePool(PoolSettings.global(config));
        for (PoolSettings pool : PoolSettings.resolveAll(config).values()) {
            validatePool(pool);
        }
    }

    /** The policies a pool may set for itself. */
    static void validatePool(PoolSettings pool) {
        positive(pool.key("timeout.response"), pool.responseTimeout());
        positive(pool.key("retry.max-attempts"), pool.retry().maxAttempts());
        positive(pool.key("latency-decay"), pool.latencyDecay());
        for (String method : pool.retry().idempotentMethods()) {
            String name = method.trim().toUpperCase(Locale.ROOT);
            if (!KNOWN_METHODS.contains(name) && !isToken(name)) {
                throw new InvalidConfigException(
                        pool.key("retry.idempotent-methods") + ": invalid value '" + method + "': not an HTTP method");
            }
        }
        for (int status : pool.retry().onStatuses()) {
            if (status < 100 || status > 599) {
                throw new InvalidConfigException(pool.key("retry.on-statuses") + ": invalid value '" + status
                        + "': not an HTTP status (100-599)");
            }
        }
        validateHealth(pool);
    }

    private static void validateHealth(PoolSettings pool) {
        PoolSettings.Health health = pool.health();
        ProbeType.parse(pool.key("health.type"), health.type());
        if (health.grpcService().chars().anyMatch(c -> c < 32 || c == 127)) {
            throw new InvalidConfigException(pool.key("health.grpc.service") + ": invalid value '"
                    + health.grpcService() + "': control characters are not allowed in a service name");
        }
        positive(pool.key("health.interval"), health.interval());
        positive(pool.key("health.down-interval"), health.downInterval());
        positive(pool.key("health.timeout"), health.timeout());
        if (health.path().isEmpty() || health.path().charAt(0) != '/' || health.path().chars().anyMatch(c -> c <= 32 || c >= 127)) {
            throw new InvalidConfigException(pool.key("health.path") + ": invalid value '" + health.path()
                    + "': must be an origin-form path starting with / (no spaces or control characters)");
        }
        StatusRanges.parse(pool.key("health.statuses"), health.statuses());
        positive(pool.key("health.fall"), health.fall());
        positive(pool.key("health.rise"), health.rise());
        double jitter = health.jitter();
        if (!(jitter >= 0 && jitter <= 1)) {
            throw new InvalidConfigException(pool.key("health.jitter") + ": invalid value '" + jitter
                    + "': must be between 0 and 1 (a share of the interval)");
        }
        PoolSettings.Outlier outlier = pool.outlier();
        positive(pool.key("outlier.consecutive-errors"), outlier.consecutiveErrors());
        positive(pool.key("outlier.base-ejection-time"), outlier.baseEjectionTime());
        positive(pool.key("outlier.max-ejection-time"), outlier.maxEjectionTime());
        if (outlier.maxEjectionTime().compareTo(outlier.baseEjectionTime()) < 0) {
            throw new InvalidConfigException(pool.key("outlier.max-ejection-time") + ": invalid value '"
                    + outlier.maxEjectionTime() + "': must not be below " + pool.key("outlier.base-ejection-time")
                    + " (" + outlier.baseEjectionTime() + ")");
        }
        int percent = outlier.maxEjectionPercent();
        if (percent < 0 || percent > 100) {
            throw new InvalidConfigException(pool.key("outlier.max-ejection-percent") + ": invalid value '" + percent
                    + "': must be between 0 and 100");
        }
        int panic = outlier.panicThreshold();
        if (panic < 0 || panic > 100) {
            throw new InvalidConfigException(pool.key("outlier.panic-threshold") + ": invalid value '" + panic
                    + "': must be between 0 (disabled) and 100");
        }
        if (pool.slowStartWindow().isNegative() || pool.slowStartWindow().compareTo(Duration.ofHours(24)) > 0) {
            throw new InvalidConfigException(pool.key("slow-start.window") + ": invalid value '"
                    + pool.slowStartWindow() + "': must be between 0 (disabled) and 24h");
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

package io.lb.config;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * One pool's effective settings: its own {@code lb.pools.<pool>.*} value where set, the global key's otherwise.
 * {@link #key(String)} names the key a value came from, so that a rejection points at the line to fix.
 */
public record PoolSettings(String name, String prefix, List<String> backends, Discovery discovery, String strategy,
        Duration latencyDecay, Health health, Retry retry, Duration responseTimeout, Sticky sticky,
        Duration slowStartWindow, Outlier outlier) {

    /** The pool that {@code lb.backends} (or {@code lb.discovery}) alone makes, and that unrouted requests reach. */
    public static final String DEFAULT = "default";
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]+");

    /** Kubernetes discovery of a pool's backends; {@code prefix} is where its keys live. */
    public record Discovery(String mode, String prefix, Optional<String> service, Optional<String> namespace,
            Optional<String> portName) {
    }

    /** {@code grpcService} is empty for the server's overall health. */
    public record Health(String type, String path, String statuses, String grpcService, Duration interval,
            Duration downInterval, Duration timeout, int fall, int rise, double jitter) {
    }

    public record Retry(int maxAttempts, Set<String> idempotentMethods, Set<Integer> onStatuses) {
    }

    public record Sticky(boolean enabled, String cookie) {
    }

    public record Outlier(int consecutiveErrors, Duration baseEjectionTime, Duration maxEjectionTime,
            int maxEjectionPercent, int panicThreshold) {
    }

    /**
     * The key of a setting of this pool: {@code lb.pools.<name>.<suffix>}, or {@code lb.<suffix>} for the default
     * pool. (A named pool's value that is wrong is its own: the global keys it inherits are checked first.)
     */
    public String key(String suffix) {
        return prefix + suffix;
    }

    /**
     * Whether a discovery mode other than {@code static} is set, known or not: such a pool is not refused for
     * lacking backends, so that io.lb.discovery.DiscoveryMode can name the bad value instead.
     */
    public boolean discoveryConfigured() {
        String mode = discovery.mode().strip();
        return !mode.isEmpty() && !mode.equalsIgnoreCase("static");
    }

    /**
     * Every pool, the default one first when there is one: {@code lb.backends} or {@code lb.discovery}, then each
     * {@code lb.pools.<pool>} in name order. A pool without backends or discovery, a second definition of the
     * default pool, and a configuration without any pool are refused, naming the keys.
     */
    public static Map<String, PoolSettings> resolveAll(LbConfig config) {
        Map<String, PoolSettings> pools = new LinkedHashMap<>();
        PoolSettings global = global(config);
        boolean globalDefault = !global.backends().isEmpty() || global.discoveryConfigured();
        if (globalDefault) {
            pools.put(DEFAULT, global);
        }
        for (Map.Entry<String, LbConfig.Pool> entry : new TreeMap<>(config.pools()).entrySet()) {
            String name = entry.getKey();
            PoolSettings pool = of(name, entry.getValue(), config);
            if (name.equals(DEFAULT) && globalDefault) {
                throw new InvalidConfigException(pool.key("backends") + ": the pool '" + DEFAULT
                        + "' is already defined by " + (global.discoveryConfigured() ? "lb.discovery" : "lb.backends")
                        + ": use one of the two");
            }
            if (!NAME.matcher(name).matches()) {
                throw new InvalidConfigException("lb.pools." + name + ": invalid pool name '" + name
                        + "': use letters, digits, '-' and '_'");
            }
            if (pool.backends().stream().allMatch(String::isBlank) && !pool.discoveryConfigured()) {
                throw new InvalidConfigException(pool.key("backends") + " is missing: the pool '" + name
                        + "' has no backends and no discovery (" + pool.key("discovery") + "=kubernetes)");
            }
            pools.put(name, pool);
        }
        if (pools.isEmpty()) {
            throw new InvalidConfigException(BackendSpecParser.KEY + " is empty: list at least one backend, e.g. "
                    + BackendSpecParser.KEY + "=http://10.0.0.1:8080,http://10.0.0.2:8080, or define pools with"
                    + " lb.pools.<pool>.backends");
        }
        return pools;
    }

    /** The default pool from the global keys alone. */
    public static PoolSettings global(LbConfig config) {
        LbConfig.Discovery discovery = config.discovery();
        return new PoolSettings(DEFAULT, "lb.", config.backends().orElse(List.of()),
                new Discovery(discovery.mode(), "lb.discovery", discovery.kubernetes().service(),
                        discovery.kubernetes().namespace(), discovery.kubernetes().portName()),
                config.strategy(), config.latencyDecay(), health(config.health()), retry(config.retry()),
                config.timeout().response(), new Sticky(config.sticky().enabled(), config.sticky().cookie()),
                config.slowStart().window(), outlier(config.outlier()));
    }

    /** A named pool: each of its own keys over the global ones. */
    public static PoolSettings of(String name, LbConfig.Pool pool, LbConfig config) {
        PoolSettings global = global(config);
        String prefix = "lb.pools." + name + ".";
        LbConfig.PoolHealth h = pool.health();
        Health health = new Health(h.type().orElse(global.health.type()), h.path().orElse(global.health.path()),
                h.statuses().orElse(global.health.statuses()),
                h.grpc().service().orElse(global.health.grpcService()), h.interval().orElse(global.health.interval()), h.downInterval().orElse(global.health.downInterval()),
                h.timeout().orElse(global.health.timeout()), h.fall().orElse(global.health.fall()),
                h.rise().orElse(global.health.rise()), h.jitter().orElse(global.health.jitter()));
        LbConfig.PoolRetry r = pool.retry();
        Retry retry = new Retry(r.maxAttempts().orElse(global.retry.maxAttempts()),
                r.idempotentMethods().orElse(global.retry.idempotentMethods()),
                r.onStatuses().orElse(global.retry.onStatuses()));
        LbConfig.PoolOutlier o = pool.outlier();
        Outlier outlier = new Outlier(o.consecutiveErrors().orElse(global.outlier.consecutiveErrors()),
                o.baseEjectionTime().orElse(global.outlier.baseEjectionTime()),
                o.maxEjectionTime().orElse(global.outlier.maxEjectionTime()),
                o.maxEjectionPercent().orElse(global.outlier.maxEjectionPercent()),
                o.panicThreshold().orElse(global.outlier.panicThreshold()));
        LbConfig.PoolDiscovery d = pool.discovery();
        Discovery discovery = new Discovery(d.mode().orElse("static"), prefix + "discovery", d.kubernetes().service(),
                d.kubernetes().namespace(), d.kubernetes().portName());
        return new PoolSettings(name, prefix, pool.backends().orElse(List.of()), discovery,
                pool.strategy().orElse(global.strategy), pool.latencyDecay().orElse(global.latencyDecay), health,
                retry, pool.timeout().response().orElse(global.responseTimeout),
                new Sticky(pool.sticky().enabled().orElse(global.sticky.enabled()),
                        pool.sticky().cookie().orElse(global.sticky.cookie())),
                pool.slowStart().window().orElse(global.slowStartWindow), outlier);
    }

    private static Health health(LbConfig.Health health) {
        return new Health(health.type(), health.path(), health.statuses(), health.grpc().service().orElse(""),
                health.interval(), health.downInterval(), health.timeout(), health.fall(), health.rise(),
                health.jitter());
    }

    private static Retry retry(LbConfig.Retry retry) {
        return new Retry(retry.maxAttempts(), retry.idempotentMethods(), retry.onStatuses().orElse(Set.of()));
    }

    private static Outlier outlier(LbConfig.Outlier outlier) {
        return new Outlier(outlier.consecutiveErrors(), outlier.baseEjectionTime(), outlier.maxEjectionTime(),
                outlier.maxEjectionPercent(), outlier.panicThreshold());
    }
}

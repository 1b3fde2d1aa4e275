package io.lb.discovery;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

import io.lb.config.InvalidConfigException;
import io.lb.config.LbConfig;
import io.lb.config.PoolSettings;

/**
 * Where a pool's backends come from: {@code static} (the default: {@code lb.backends}, or
 * {@code lb.pools.<pool>.backends}) or {@code kubernetes} (the EndpointSlices of
 * {@code <discovery key>.kubernetes.service}). The discovery key is {@code lb.discovery} for the default pool and
 * {@code lb.pools.<pool>.discovery} for a named one.
 */
public enum DiscoveryMode {
    STATIC,
    KUBERNETES;

    public static final String KEY = "lb.discovery";
    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

    /** The global keys' mode ({@code lb.discovery}), checked as {@link #of(PoolSettings.Discovery)} does. */
    public static DiscoveryMode of(LbConfig.Discovery discovery) {
        return of(KEY, discovery.mode(), discovery.kubernetes().service());
    }

    /**
     * One pool's configured mode, after checking that it is known and complete. A bad value stops the
     * application at startup with the key and the value in the message.
     */
    public static DiscoveryMode of(PoolSettings.Discovery discovery) {
        return of(discovery.prefix(), discovery.mode(), discovery.service());
    }

    private static DiscoveryMode of(String key, String configured, Optional<String> configuredService) {
        String value = configured == null ? "" : configured.trim();
        String backendsKey = key.equals(KEY) ? "lb.backends" : key.replaceFirst("discovery$", "backends");
        DiscoveryMode mode;
        switch (value.toLowerCase(Locale.ROOT)) {
            case "static" -> mode = STATIC;
            case "kubernetes" -> mode = KUBERNETES;
            default -> throw new InvalidConfigException(key + ": invalid value '" + value + "': use 'static' ("
                    + backendsKey + ") or 'kubernetes' (EndpointSlices)");
        }
        if (mode == KUBERNETES) {
            String serviceKey = key + ".kubernetes.service";
            String service = configuredService.map(String::trim).orElse("");
            if (service.isEmpty()) {
                throw new InvalidConfigException(serviceKey + " is missing: " + key + "=" + value
                        + " needs the name of the Service whose endpoints are the backends");
            }
            if (!DNS_LABEL.matcher(service).matches()) {
                throw new InvalidConfigException(serviceKey + ": invalid value '" + service
                        + "': not a Service name (lower-case letters, digits and '-', at most 63 characters)");
            }
        }
        return mode;
    }
}

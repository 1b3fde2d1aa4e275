package io.lb.discovery;

import java.util.Locale;
import java.util.regex.Pattern;

import io.lb.config.InvalidConfigException;
import io.lb.config.LbConfig;

/**
 * Where the backends come from: {@code lb.discovery=static} (the default, {@code lb.backends}) or
 * {@code lb.discovery=kubernetes} (the EndpointSlices of {@code lb.discovery.kubernetes.service}).
 */
public enum DiscoveryMode {
    STATIC,
    KUBERNETES;

    public static final String KEY = "lb.discovery";
    public static final String SERVICE_KEY = "lb.discovery.kubernetes.service";
    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

    /**
     * The configured mode, after checking that it is known and complete. A bad value stops the application
     * at startup with the key and the value in the message.
     */
    public static DiscoveryMode of(LbConfig.Discovery discovery) {
        String value = discovery.mode() == null ? "" : discovery.mode().trim();
        DiscoveryMode mode;
        switch (value.toLowerCase(Locale.ROOT)) {
            case "static" -> mode = STATIC;
            case "kubernetes" -> mode = KUBERNETES;
            default -> throw new InvalidConfigException(
                    KEY + ": invalid value '" + value + "': use 'static' (lb.backends) or 'kubernetes' (EndpointSlices)");
        }
        if (mode == KUBERNETES) {
            String service = discovery.kubernetes().service().map(String::trim).orElse("");
            if (service.isEmpty()) {
                throw new InvalidConfigException(SERVICE_KEY + " is missing: " + KEY + "=" + value
                        + " needs the name of the Service whose endpoints are the backends");
            }
            if (!DNS_LABEL.matcher(service).matches()) {
                throw new InvalidConfigException(SERVICE_KEY + ": invalid value '" + service
                        + "': not a Service name (lower-case letters, digits and '-', at most 63 characters)");
            }
        }
        return mode;
    }
}

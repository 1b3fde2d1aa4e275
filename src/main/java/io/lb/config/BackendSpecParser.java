package io.lb.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Parses {@code http://host:port[;weight=N]} entries. Every rejection names the configuration key and the
 * offending value so that the operator can fix it without reading code.
 */
public final class BackendSpecParser {

    public static final String KEY = "lb.backends";
    static final int MAX_WEIGHT = 1_000;
    private static final String WEIGHT_PARAMETER = ";weight=";

    private BackendSpecParser() {
    }

    public static List<BackendSpec> parseAll(List<String> entries) {
        return parseAll(KEY, entries);
    }

    /** Parses the entries of {@code key} ({@code lb.backends} or {@code lb.pools.<pool>.backends}). */
    public static List<BackendSpec> parseAll(String key, List<String> entries) {
        List<BackendSpec> specs = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (String entry : entries) {
            String trimmed = entry.trim();
            if (trimmed.isEmpty()) {
                continue;
            }
            BackendSpec spec = parse(key, trimmed);
            if (!seen.add(spec.url())) {
                throw invalid(key, trimmed, "duplicate backend " + spec.url());
            }
            specs.add(spec);
        }
        if (specs.isEmpty()) {
            throw new InvalidConfigException(key + " is empty: list at least one backend, e.g. "
                    + key + "=http://10.0.0.1:8080,http://10.0.0.2:8080");
        }
        return specs;
    }

    public static BackendSpec parse(String entry) {
        return parse(KEY, entry);
    }

    public static BackendSpec parse(String key, String entry) {
        String trimmed = entry.trim();
        String address = trimmed;
        int weight = 1;
        int weightAt = trimmed.toLowerCase(Locale.ROOT).indexOf(WEIGHT_PARAMETER);
        if (weightAt >= 0) {
            address = trimmed.substring(0, weightAt);
            weight = parseWeight(key, trimmed, trimmed.substring(weightAt + WEIGHT_PARAMETER.length()));
        } else if (trimmed.contains(";")) {
            throw invalid(key, trimmed, "unknown parameter (the only one is ;weight=N)");
        }
        URI uri;
        try {
            uri = new URI(address);
        } catch (URISyntaxException e) {
            throw invalid(key, trimmed, "not a URL (" + e.getReason() + ")");
        }
        String scheme = uri.getScheme() == null ? null : uri.getScheme().toLowerCase(Locale.ROOT);
        if (scheme == null) {
            throw invalid(key, trimmed, "missing scheme, expected http://host:port");
        }
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw invalid(key, trimmed, "unsupported scheme '" + scheme + "' (use http or https)");
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw invalid(key, trimmed, "missing or malformed host, expected " + scheme + "://host:port");
        }
        if (uri.getUserInfo() != null) {
            throw invalid(key, trimmed, "credentials in backend URLs are not supported");
        }
        String path = uri.getRawPath();
        if ((path != null && !path.isEmpty() && !path.equals("/")) || uri.getRawQuery() != null
                || uri.getRawFragment() != null) {
            throw invalid(key, trimmed, "a backend is scheme://host:port only; paths, queries and fragments are not supported");
        }
        int port = uri.getPort();
        if (port == -1) {
            port = scheme.equals("https") ? 443 : 80;
        }
        if (port < 1 || port > 65_535) {
            throw invalid(key, trimmed, "port out of range 1-65535");
        }
        String host = uri.getHost();
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        return new BackendSpec(scheme, host.toLowerCase(Locale.ROOT), port, weight);
    }

    private static int parseWeight(String key, String entry, String text) {
        try {
            int weight = Integer.parseInt(text.trim());
            if (weight >= 1 && weight <= MAX_WEIGHT) {
                return weight;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw invalid(key, entry, "weight '" + text + "' is not a positive integer from 1 to " + MAX_WEIGHT);
    }

    private static InvalidConfigException invalid(String key, String value, String why) {
        return new InvalidConfigException(key + ": invalid value '" + value + "': " + why);
    }
}

package io.lb.routing;

import java.util.Locale;

import io.lb.config.InvalidConfigException;

/**
 * The {@code host} of a route: an exact name ({@code api.example.com}) or a leading wildcard
 * ({@code *.example.com}, which matches any name below example.com but not example.com itself, as Envoy's
 * domains do). Kept lower case; a request's port and case do not matter.
 */
public record HostPattern(String value, boolean wildcard) {

    /** For a wildcard, the suffix a matching host ends with: {@code .example.com}. */
    public String suffix() {
        return wildcard ? value.substring(1) : value;
    }

    @Override
    public String toString() {
        return wildcard ? "*" + value.substring(1) : value;
    }

    /** Parses {@code text}, naming {@code key} when it is not a host name or a leading wildcard. */
    public static HostPattern parse(String key, String text) {
        String host = text.strip().toLowerCase(Locale.ROOT);
        boolean wildcard = host.startsWith("*.");
        String name = wildcard ? host.substring(2) : host;
        if (name.endsWith(".")) {
            name = name.substring(0, name.length() - 1);
        }
        if (!isHostName(name)) {
            throw new InvalidConfigException(key + ": invalid value '" + text + "': not a host name or a leading"
                    + " wildcard (api.example.com, *.example.com; no port, no empty labels, '*' only as the first"
                    + " label)");
        }
        return new HostPattern(wildcard ? "*." + name : name, wildcard);
    }

    private static boolean isHostName(String name) {
        if (name.isEmpty() || name.length() > 253) {
            return false;
        }
        for (String label : name.split("\\.", -1)) {
            if (label.isEmpty() || label.length() > 63 || label.startsWith("-") || label.endsWith("-")) {
                return false;
            }
            for (int i = 0; i < label.length(); i++) {
                char c = label.charAt(i);
                if (!(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_')) {
                    return false;
                }
            }
        }
        return true;
    }
}

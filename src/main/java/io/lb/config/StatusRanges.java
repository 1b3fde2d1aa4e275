package io.lb.config;

import java.util.BitSet;

/**
 * A set of HTTP statuses written as comma-separated statuses and inclusive ranges, e.g. {@code 200-299,404}.
 * Immutable once parsed; {@link #contains(int)} is a bit lookup.
 */
public final class StatusRanges {

    private final BitSet statuses;
    private final String text;

    private StatusRanges(BitSet statuses, String text) {
        this.statuses = statuses;
        this.text = text;
    }

    /** Parses {@code text}; a rejection names {@code key} and the offending value. */
    public static StatusRanges parse(String key, String text) {
        BitSet statuses = new BitSet(600);
        if (text == null || text.isBlank()) {
            throw invalid(key, text, "empty: list statuses or ranges, e.g. 200-399");
        }
        for (String part : text.split(",")) {
            String item = part.trim();
            if (item.isEmpty()) {
                throw invalid(key, text, "empty element");
            }
            int dash = item.indexOf('-');
            int from;
            int to;
            if (dash < 0) {
                from = status(key, text, item);
                to = from;
            } else {
                from = status(key, text, item.substring(0, dash).trim());
                to = status(key, text, item.substring(dash + 1).trim());
                if (from > to) {
                    throw invalid(key, text, "range '" + item + "' runs backwards");
                }
            }
            statuses.set(from, to + 1);
        }
        return new StatusRanges(statuses, text.trim());
    }

    public boolean contains(int status) {
        return status >= 0 && statuses.get(status);
    }

    @Override
    public String toString() {
        return text;
    }

    private static int status(String key, String text, String item) {
        int status;
        try {
            status = Integer.parseInt(item);
        } catch (NumberFormatException e) {
            throw invalid(key, text, "'" + item + "' is not a number");
        }
        if (status < 100 || status > 599) {
            throw invalid(key, text, "'" + item + "' is not an HTTP status (100-599)");
        }
        return status;
    }

    private static InvalidConfigException invalid(String key, String text, String why) {
        return new InvalidConfigException(key + ": invalid value '" + text + "': " + why);
    }
}

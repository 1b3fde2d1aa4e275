package io.lb.accesslog;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Random;

import org.junit.jupiter.api.Test;

/**
 * The allocation-light formatting of the access log writes what the JDK's formatters would: durations as
 * {@code String.format("%.3f")}, the JSON time as {@link Instant#toString()}, the text time as NGINX's
 * {@code $time_local} in UTC, also when the second changes between two lines.
 */
class AccessLogFormatTest {

    private static final DateTimeFormatter COMMON =
            DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ROOT).withZone(ZoneOffset.UTC);

    @Test
    void secondsWithThreeDecimalsAsStringFormatWritesThem() {
        long[] edges = { 0, 1, 499_999, 500_000, 999_499_999, 999_500_000, 1_000_000_000, 12_345_678_901L,
                86_400_000_000_000L };
        for (long nanos : edges) {
            assertSeconds(nanos);
        }
        Random random = new Random(42);
        for (int i = 0; i < 100_000; i++) {
            assertSeconds(random.nextInt(1 << 30) * (long) random.nextInt(64));
        }
    }

    @Test
    void isoTimeAsInstantWritesItWithOrWithoutMillis() {
        long[] instants = { 0, 999, 1000, 1_796_302_713_000L, 1_796_302_713_001L, 1_796_302_713_120L,
                1_796_302_713_999L, 1_796_302_714_000L };
        for (long millis : instants) {
            assertEquals(Instant.ofEpochMilli(millis).toString(),
                    AccessLogFormat.appendIsoTime(new StringBuilder(), millis).toString());
        }
    }

    @Test
    void commonLogTimeFollowsTheClockAcrossSeconds() {
        long start = 1_796_302_713_000L;
        for (long millis = start - 1500; millis < start + 3000; millis += 250) {
            assertEquals(COMMON.format(Instant.ofEpochMilli(millis)), AccessLogFormat.commonLogTime(millis));
        }
        // back in time (another event loop's clock read a moment earlier) is formatted right too
        assertEquals(COMMON.format(Instant.ofEpochMilli(start - 60_000)), AccessLogFormat.commonLogTime(start - 60_000));
    }

    private static void assertSeconds(long nanos) {
        assertEquals(String.format(Locale.ROOT, "%.3f", nanos / 1e9),
                AccessLogFormat.appendSeconds(new StringBuilder(), nanos).toString(), "nanos " + nanos);
    }
}

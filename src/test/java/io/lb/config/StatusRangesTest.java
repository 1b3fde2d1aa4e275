package io.lb.config;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class StatusRangesTest {

    @Test
    void rangesAndSingleStatuses() {
        StatusRanges ranges = StatusRanges.parse("lb.health.statuses", " 200-299, 404 ");
        assertTrue(ranges.contains(200));
        assertTrue(ranges.contains(299));
        assertTrue(ranges.contains(404));
        assertFalse(ranges.contains(300));
        assertFalse(ranges.contains(500));
        assertFalse(ranges.contains(-1));
        assertFalse(ranges.contains(700));
    }

    @Test
    void theDefault() {
        StatusRanges ranges = StatusRanges.parse("lb.health.statuses", "200-399");
        assertTrue(ranges.contains(302));
        assertFalse(ranges.contains(199));
        assertFalse(ranges.contains(400));
    }

    @ParameterizedTest
    @ValueSource(strings = { "", " ", "600", "99", "abc", "300-200", "200-", "200,,300", "2xx", "200-299-300" })
    void rejectsMalformedValuesNamingKeyAndValue(String text) {
        InvalidConfigException e = assertThrows(InvalidConfigException.class,
                () -> StatusRanges.parse("lb.health.statuses", text));
        assertTrue(e.getMessage().startsWith("lb.health.statuses: invalid value '" + text + "'"), e.getMessage());
    }
}

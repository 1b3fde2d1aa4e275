package io.lb.balancer;

import java.time.Instant;

/** The outcome of the latest active health check of a backend, as shown by the admin API. */
public record CheckResult(Instant at, boolean healthy, String detail) {
}

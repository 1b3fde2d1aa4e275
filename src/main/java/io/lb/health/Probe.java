package io.lb.health;

import java.time.Instant;

import io.lb.balancer.CheckResult;
import io.lb.config.BackendSpec;
import io.vertx.core.Promise;

/**
 * One kind of active probe ({@code lb.health.type}). A probe settles its verdict with {@code tryComplete}, and
 * frees what it holds (a request, a connection) once the verdict is in, whoever settled it: the caller settles it
 * as unhealthy when the probe's timeout passes first.
 */
interface Probe {

    /** Starts one probe of {@code backend}; never throws once started, never blocks. */
    void send(BackendSpec backend, Promise<CheckResult> verdict);

    static CheckResult healthy(String detail) {
        return new CheckResult(Instant.now(), true, detail);
    }

    static CheckResult unhealthy(String detail) {
        return new CheckResult(Instant.now(), false, detail);
    }

    static String describe(Throwable cause) {
        String message = cause.getMessage();
        return message == null ? cause.getClass().getSimpleName() : message;
    }
}

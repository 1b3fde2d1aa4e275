package io.lb.tracing;

import jakarta.inject.Singleton;

import io.quarkus.opentelemetry.runtime.tracing.instrumentation.vertx.OpenTelemetryVertxHttpMetricsFactory;
import io.quarkus.vertx.VertxOptionsCustomizer;
import io.vertx.core.VertxOptions;
import io.vertx.core.metrics.MetricsOptions;

/**
 * Quarkus' OpenTelemetry extension turns on Vert.x' metrics SPI (when no Micrometer HTTP binder has it, and that one
 * is off here: see application.properties), with a hook on every HTTP server request that only names the route of
 * Quarkus' own HTTP server spans. Those spans are off (quarkus.otel.instrument.vertx-http=false: the balancer makes
 * its own), and the hook would cost every request on the traffic port something, traced or not, so it goes.
 */
@Singleton
public class VertxHttpMetricsOff implements VertxOptionsCustomizer {

    @Override
    public void accept(VertxOptions options) {
        MetricsOptions metrics = options.getMetricsOptions();
        if (metrics != null && metrics.getFactory() instanceof OpenTelemetryVertxHttpMetricsFactory) {
            options.setMetricsOptions(new MetricsOptions());
        }
    }
}

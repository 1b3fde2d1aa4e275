package io.lb.demo;

import java.time.Duration;
import java.util.List;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The demo backends started in dev mode only. */
@ConfigMapping(prefix = "demo")
public interface DemoConfig {

    /** Ports of the demo backends, one backend per port. */
    @WithDefault("8081,8082,8083")
    List<Integer> ports();

    /** Artificial latency of each demo backend, in the order of {@link #ports()}. */
    @WithDefault("5ms,20ms,80ms")
    List<Duration> latencies();
}

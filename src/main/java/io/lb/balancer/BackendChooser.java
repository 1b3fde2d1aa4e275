package io.lb.balancer;

import java.util.function.Predicate;

/** A load-balancing strategy: which backend takes the next exchange. */
public interface BackendChooser {

    /** The best backend that accepts traffic and is not excluded, or null when there is none. */
    Backend choose(Predicate<Backend> excluded);

    default Backend choose() {
        return choose(backend -> false);
    }
}

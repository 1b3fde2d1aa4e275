package io.lb.balancer;

import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Picks the backend with the lowest {@code (active + 1) / weight}: the load it would have after taking this
 * exchange, per unit of weight (HAProxy's leastconn key). Ties are broken at random in proportion to weight,
 * so an idle pool is not always served by its first member.
 */
@ApplicationScoped
public class LeastConnections {

    private final BackendPool pool;

    @Inject
    public LeastConnections(BackendPool pool) {
        this.pool = pool;
    }

    /** The best backend that accepts traffic and is not excluded, or null when there is none. */
    public Backend choose(Predicate<Backend> excluded) {
        Backend best = null;
        long bestLoad = 0;
        long bestWeight = 1;
        long tiedWeight = 0;
        for (Backend candidate : pool.snapshot()) {
            if (!candidate.acceptsTraffic() || excluded.test(candidate)) {
                continue;
            }
            long load = candidate.activeConnections() + 1L;
            long weight = candidate.weight();
            // load/weight compared with bestLoad/bestWeight, without division
            int comparison = best == null ? -1 : Long.compare(load * bestWeight, bestLoad * weight);
            if (comparison < 0) {
                best = candidate;
                bestLoad = load;
                bestWeight = weight;
                tiedWeight = weight;
            } else if (comparison == 0) {
                tiedWeight += weight;
                if (ThreadLocalRandom.current().nextLong(tiedWeight) < weight) {
                    best = candidate;
                    bestLoad = load;
                    bestWeight = weight;
                }
            }
        }
        return best;
    }

    public Backend choose() {
        return choose(backend -> false);
    }
}

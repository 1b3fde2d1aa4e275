package io.lb.balancer;

/**
 * Which backends a strategy may choose. Normally those that accept traffic; while their pool is in panic (too few
 * of them do), also the ejected ones and those on their way UP ({@link Backend#acceptsTrafficInPanic()}).
 */
public enum Eligibility {
    NORMAL {
        @Override
        public boolean test(Backend backend) {
            return backend.acceptsTraffic();
        }
    },
    PANIC {
        @Override
        public boolean test(Backend backend) {
            return backend.acceptsTrafficInPanic();
        }
    };

    public abstract boolean test(Backend backend);
}

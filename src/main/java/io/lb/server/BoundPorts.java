package io.lb.server;

/** The ports the listeners are bound to (chosen at random when configured as 0); -1 while unbound. */
final class BoundPorts {
    volatile int plain = -1;
    volatile int tls = -1;
}

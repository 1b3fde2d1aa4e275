package io.lb.discovery;

import java.util.Optional;

import io.lb.config.PoolSettings;

/**
 * The Service whose ready endpoints are one pool's backends: {@code <discovery key>.kubernetes.service} in
 * {@code .namespace} (default: the balancer's own), at the port named {@code .port-name} (default: the only one).
 */
record DiscoveredService(String pool, String key, String namespace, String service, Optional<String> portName) {

    /** From a pool's checked settings ({@link DiscoveryMode#of(PoolSettings.Discovery)} said kubernetes). */
    static DiscoveredService of(String pool, PoolSettings.Discovery discovery, String ownNamespace) {
        return new DiscoveredService(pool, discovery.prefix(),
                discovery.namespace().map(String::trim).filter(ns -> !ns.isEmpty()).orElse(ownNamespace),
                discovery.service().orElseThrow().trim(),
                discovery.portName().map(String::trim).filter(name -> !name.isEmpty()));
    }

    /** {@code namespace/service}, as logs and the readiness data show it. */
    String describe() {
        return namespace + "/" + service;
    }
}

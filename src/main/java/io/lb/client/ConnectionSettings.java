package io.lb.client;

import io.netty.channel.group.ChannelGroup;
import io.vertx.core.spi.transport.Transport;

/**
 * How backend connections are made and kept: the same for every pool. A waiter older than {@code queueTimeoutNanos}
 * (lb.timeout.response, the longest a try can wait) is dropped from the line rather than served.
 */
record ConnectionSettings(Transport transport, int maxPerEventLoop, int maxPendingPerEventLoop, long queueTimeoutNanos,
        long keepAliveMillis, int connectTimeoutMillis, BackendTls tls, ProtocolErrorListener protocolErrors,
        ChannelGroup openChannels) {
}

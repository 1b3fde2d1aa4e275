package io.lb.client;

import io.netty.channel.group.ChannelGroup;
import io.vertx.core.spi.transport.Transport;

/** How backend connections are made and kept: the same for every pool. */
record ConnectionSettings(Transport transport, int maxPerEventLoop, long keepAliveMillis, int connectTimeoutMillis,
        BackendTls tls, ProtocolErrorListener protocolErrors, ChannelGroup openChannels) {
}

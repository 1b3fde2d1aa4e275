package io.lb.proxy;

import java.util.Arrays;
import java.util.List;

import io.lb.balancer.Backend;
import io.vertx.core.MultiMap;

/** Every enabled listener, called in turn; made once at startup. */
final class ExchangeListeners implements ExchangeListener {

    private final ExchangeListener[] listeners;
    /** The listeners that add headers to the tries' requests: usually none. */
    private final ExchangeListener[] headerWriters;

    ExchangeListeners(List<ExchangeListener> listeners) {
        this.listeners = listeners.stream().filter(ExchangeListener::enabled).toArray(ExchangeListener[]::new);
        this.headerWriters = Arrays.stream(this.listeners).filter(ExchangeListener::writesTryHeaders)
                .toArray(ExchangeListener[]::new);
    }

    @Override
    public void exchangeStarted(Exchange exchange) {
        for (ExchangeListener listener : listeners) {
            listener.exchangeStarted(exchange);
        }
    }

    @Override
    public void tryStarted(Exchange exchange, Backend backend, String retryReason) {
        for (ExchangeListener listener : listeners) {
            listener.tryStarted(exchange, backend, retryReason);
        }
    }

    @Override
    public void tryHeaders(Exchange exchange, Backend backend, MultiMap headers) {
        for (ExchangeListener listener : headerWriters) {
            listener.tryHeaders(exchange, backend, headers);
        }
    }

    @Override
    public void tryEnded(Exchange exchange, Backend backend, int status, String failure) {
        for (ExchangeListener listener : listeners) {
            listener.tryEnded(exchange, backend, status, failure);
        }
    }

    @Override
    public void retryAbandoned(Exchange exchange, String reason) {
        for (ExchangeListener listener : listeners) {
            listener.retryAbandoned(exchange, reason);
        }
    }

    @Override
    public void admissionRejected(Exchange exchange, String reason) {
        for (ExchangeListener listener : listeners) {
            listener.admissionRejected(exchange, reason);
        }
    }

    @Override
    public void tunnelOpened(Exchange exchange) {
        for (ExchangeListener listener : listeners) {
            listener.tunnelOpened(exchange);
        }
    }

    @Override
    public void exchangeEnded(Exchange exchange) {
        for (ExchangeListener listener : listeners) {
            listener.exchangeEnded(exchange);
        }
    }
}

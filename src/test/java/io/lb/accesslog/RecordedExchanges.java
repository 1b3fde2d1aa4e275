package io.lb.accesslog;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import jakarta.inject.Singleton;

import io.lb.proxy.Exchange;
import io.lb.proxy.ExchangeListener;

/** A listener of the tests' own, added as the access log is: one more bean, nothing else changed. */
@Singleton
public class RecordedExchanges implements ExchangeListener {

    final List<Exchange> ended = new CopyOnWriteArrayList<>();

    @Override
    public void exchangeEnded(Exchange exchange) {
        ended.add(exchange);
    }
}

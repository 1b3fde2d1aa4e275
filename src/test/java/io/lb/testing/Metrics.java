package io.lb.testing;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;

/** Reads one sample from the Prometheus endpoint on the management port, as a scraper would. */
public final class Metrics {

    private Metrics() {
    }

    public static String scrape(URI management) {
        try {
            // bounded, so that a scrape that gets no answer fails the test instead of stalling the suite
            return HttpClient.newHttpClient().send(HttpRequest.newBuilder(management.resolve("/q/metrics"))
                    .timeout(Duration.ofSeconds(10)).build(), BodyHandlers.ofString()).body();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * The value of the sample named {@code name} whose labels include every {@code label="value"} given, or 0
     * if there is none (a counter that never moved).
     */
    public static double value(URI management, String name, String... labels) {
        double total = 0;
        boolean found = false;
        for (String line : scrape(management).split("\n")) {
            if (line.startsWith("#") || !(line.startsWith(name + "{") || line.startsWith(name + " "))) {
                continue;
            }
            boolean matches = true;
            for (String label : labels) {
                matches &= line.contains(label);
            }
            if (matches) {
                total += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                found = true;
            }
        }
        return found ? total : 0;
    }
}

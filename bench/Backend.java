// A deliberately slow HTTP backend for bench/run.sh scenario 2. Uses virtual threads on JDK 21+, a pool on 17:
//   java -Dsun.net.httpserver.nodelay=true Backend.java 18091:2 18092:10 18093:50
// Each argument is PORT:DELAY_MS; every port answers any path with a small body after DELAY_MS, except
//   GET /__count  -> number of proxied requests this backend answered since the last reset
//   GET /__reset  -> sets that number to 0
// Listens on 127.0.0.1 only. Stops by itself after --max-seconds (default 3600) so it can never linger.
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.LongAdder;

public class Backend {
    public static void main(String[] args) throws Exception {
        long maxSeconds = 3600;
        ExecutorService executor;
        try {
            // virtual threads (JDK 21+): one cheap thread per exchange, sleeping costs nothing
            executor = (ExecutorService) Executors.class.getMethod("newVirtualThreadPerTaskExecutor").invoke(null);
        } catch (ReflectiveOperationException e) {
            executor = Executors.newFixedThreadPool(512); // JDK 17: enough threads for the bench's concurrency
        }
        for (String arg : args) {
            if (arg.startsWith("--max-seconds=")) {
                maxSeconds = Long.parseLong(arg.substring("--max-seconds=".length()));
                continue;
            }
            String[] parts = arg.split(":");
            int port = Integer.parseInt(parts[0]);
            long delay = Long.parseLong(parts[1]);
            String name = "b" + port + "-" + delay + "ms";
            byte[] body = ("hello from " + name + "\n").getBytes(StandardCharsets.US_ASCII);
            LongAdder count = new LongAdder();
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 1024);
            server.setExecutor(executor);
            server.createContext("/", exchange -> {
                String path = exchange.getRequestURI().getPath();
                try {
                    if (path.equals("/__count")) {
                        reply(exchange, (count.sum() + "\n").getBytes(StandardCharsets.US_ASCII), name);
                        return;
                    }
                    if (path.equals("/__reset")) {
                        count.reset();
                        reply(exchange, "0\n".getBytes(StandardCharsets.US_ASCII), name);
                        return;
                    }
                    exchange.getRequestBody().readAllBytes();
                    if (delay > 0) {
                        Thread.sleep(delay);
                    }
                    count.increment();
                    reply(exchange, body, name);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    exchange.close();
                }
            });
            server.start();
            System.out.println("backend " + name + " on 127.0.0.1:" + port);
        }
        Thread.sleep(maxSeconds * 1000);
        System.exit(0);
    }

    private static void reply(HttpExchange exchange, byte[] body, String name) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "text/plain");
        exchange.getResponseHeaders().set("X-Backend", name);
        exchange.sendResponseHeaders(200, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }
}

import com.sun.net.httpserver.HttpServer;

import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

/**
 * A tiny HTTP backend for the fault and soak benchmarks (bench/fault.sh, bench/soak.sh): one process per backend,
 * so that kill -9 / kill -STOP hits exactly one backend.
 *
 * <pre>java FaultBackend.java PORT [DELAY_MS] [THREADS]</pre>
 *
 * Listens on 127.0.0.1:PORT only, answers every request with 200 and a short body naming the port, after
 * DELAY_MS (default 5) so that requests are in flight when a fault hits. Request bodies are read and dropped.
 * HTTP/1.1 keep-alive as provided by com.sun.net.httpserver.
 */
public class FaultBackend {
    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        long delayMs = args.length > 1 ? Long.parseLong(args[1]) : 5;
        int threads = args.length > 2 ? Integer.parseInt(args[2]) : 64;
        // Without TCP_NODELAY the separate writes of head and body meet Nagle + delayed ACK: 40 ms per request.
        System.setProperty("sun.net.httpserver.nodelay", "true");
        byte[] body = ("backend " + port + "\n").getBytes(StandardCharsets.US_ASCII);

        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 256);
        server.setExecutor(Executors.newFixedThreadPool(threads));
        server.createContext("/", exchange -> {
            try (exchange) {
                exchange.getRequestBody().transferTo(OutputStream.nullOutputStream());
                if (delayMs > 0) {
                    Thread.sleep(delayMs);
                }
                exchange.getResponseHeaders().set("Content-Type", "text/plain");
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        server.start();
        System.out.println("FaultBackend listening on 127.0.0.1:" + port + " delay=" + delayMs + "ms threads=" + threads);
    }
}

package io.leakwatch.alert;

import com.sun.net.httpserver.HttpServer;
import io.leakwatch.testing.Await;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

/**
 * A real HTTP server on loopback that records every POST and answers from a script (200 once the
 * script runs out).
 */
final class HttpReceiver implements AutoCloseable {
  static {
    // The JDK server leaves Nagle on, which with the client's delayed ACK costs ~40 ms a request.
    System.setProperty("sun.net.httpserver.nodelay", "true");
  }

  record Request(Map<String, List<String>> headers, String body, long atNanos) {
    String header(String name) {
      return headers.entrySet().stream()
          .filter(e -> e.getKey().equalsIgnoreCase(name))
          .map(e -> e.getValue().get(0))
          .findFirst()
          .orElse(null);
    }
  }

  record Answer(int status, Map<String, String> headers, String body) {}

  final List<Request> requests = new CopyOnWriteArrayList<>();
  final ConcurrentLinkedDeque<Answer> script = new ConcurrentLinkedDeque<>();
  private final HttpServer server;

  HttpReceiver(int port) throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
    server.createContext(
        "/",
        exchange -> {
          byte[] body = exchange.getRequestBody().readAllBytes();
          requests.add(
              new Request(
                  Map.copyOf(exchange.getRequestHeaders()),
                  new String(body, StandardCharsets.UTF_8),
                  System.nanoTime()));
          Answer answer = script.poll();
          if (answer == null) {
            answer = new Answer(200, Map.of(), "ok");
          }
          answer.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
          byte[] out = answer.body().getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(answer.status(), out.length == 0 ? -1 : out.length);
          if (out.length > 0) {
            exchange.getResponseBody().write(out);
          }
          exchange.close();
        });
    server.start();
  }

  int port() {
    return server.getAddress().getPort();
  }

  String url() {
    return "http://127.0.0.1:" + port() + "/hook";
  }

  List<Request> successful(int count, Duration timeout) throws InterruptedException {
    await(() -> requests.size() >= count, timeout);
    return requests;
  }

  static void await(BooleanSupplier condition, Duration timeout) throws InterruptedException {
    Await.until(condition, "the receiver's condition", timeout);
  }

  @Override
  public void close() {
    server.stop(0);
  }
}

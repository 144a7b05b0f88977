package org.streamsbi.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Serves the dashboard page, its chart library from the webjar, the run's events as server-sent
 * events at {@code /events}, and Prometheus metrics at {@code /metrics}.
 *
 * <p>The JDK's own HTTP server is enough for a page, a few event streams and a scrape endpoint, and
 * adds no dependency; Javalin would bring Jetty and Kotlin's runtime for the same. Each event
 * stream holds one server thread while the browser stays.
 *
 * <p>A browser that connects late gets the run's history first: every progress event so far (the
 * curves), and the latest event of every other kind (the posterior, each worker's state).
 */
final class DashboardServer implements AutoCloseable {
  private static final int HISTORY = 20_000;
  private static final String COOKIE = "streamsbi_dashboard_token";
  private static final long HEARTBEAT_SECONDS = 15;
  private static final Event CLOSED = new Event("closed", "", "");
  private static final Map<String, String> TYPES =
      Map.of("html", "text/html; charset=utf-8", "js", "text/javascript; charset=utf-8",
          "css", "text/css; charset=utf-8", "map", "application/json");

  private final HttpServer server;
  private final ExecutorService threads;
  private final Optional<String> token;
  private final Supplier<String> metrics;
  private final Deque<Event> progress = new ArrayDeque<>();
  private final Map<String, Event> latest = new LinkedHashMap<>();
  private final Set<BlockingQueue<Event>> streams = ConcurrentHashMap.newKeySet();

  /**
   * An event for the page.
   *
   * @param kind what it tells: progress, posterior, worker
   * @param key which one of its kind it replaces in the history; progress events are all kept
   * @param json its data
   */
  record Event(String kind, String key, String json) {}

  DashboardServer(DashboardConfig config, Supplier<String> metrics) {
    this.token = config.token();
    this.metrics = metrics;
    try {
      server = HttpServer.create(new InetSocketAddress(config.host(), config.port()), 0);
    } catch (BindException e) {
      throw new IllegalArgumentException(
          "--dashboard-port " + config.port() + " on " + config.host() + " is taken: choose another port or --no-dashboard", e);
    } catch (IOException e) {
      throw new IllegalStateException("cannot start the dashboard on " + config.host() + ":" + config.port(), e);
    }
    threads =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "streamsbi-dashboard");
              t.setDaemon(true);
              return t;
            });
    server.setExecutor(threads);
    server.createContext("/", exchange -> guarded(exchange, this::serve));
    server.start();
  }

  /** The page's address. */
  URI address() {
    InetSocketAddress bound = server.getAddress();
    String host = bound.getAddress().isAnyLocalAddress() ? "127.0.0.1" : bound.getHostString();
    return URI.create("http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + bound.getPort() + "/");
  }

  /** Sends an event to every open page, and keeps it for pages that open later. */
  void publish(Event event) {
    synchronized (progress) {
      if (event.kind().equals("progress")) {
        progress.addLast(event);
        if (progress.size() > HISTORY) {
          progress.removeFirst();
        }
      } else {
        latest.put(event.kind() + "/" + event.key(), event);
      }
      streams.forEach(q -> q.offer(event));
    }
  }

  private interface Handler {
    void handle(HttpExchange exchange) throws IOException;
  }

  private void guarded(HttpExchange exchange, Handler handler) throws IOException {
    try (exchange) {
      if (!"GET".equals(exchange.getRequestMethod())) {
        respond(exchange, 405, "text/plain", "only GET\n");
        return;
      }
      if (token.isPresent()) {
        String offered = offeredToken(exchange);
        if (offered == null || !MessageDigest.isEqual(
            offered.getBytes(StandardCharsets.UTF_8), token.get().getBytes(StandardCharsets.UTF_8))) {
          exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"streamsbi\"");
          respond(exchange, 401, "text/plain", "access token required: Authorization: Bearer <token>, or ?token=<token> in the browser\n");
          return;
        }
        if (queryToken(exchange) != null) {
          // The browser keeps the token as a cookie; the address bar and history lose it.
          exchange.getResponseHeaders().add("Set-Cookie", COOKIE + "=" + offered + "; Path=/; HttpOnly; SameSite=Strict");
          exchange.getResponseHeaders().set("Location", exchange.getRequestURI().getPath());
          respond(exchange, 303, "text/plain", "");
          return;
        }
      }
      handler.handle(exchange);
    } catch (IOException e) {
      // The browser went away mid-response: nothing to tell it.
    }
  }

  private static String offeredToken(HttpExchange exchange) {
    String authorization = exchange.getRequestHeaders().getFirst("Authorization");
    if (authorization != null && authorization.startsWith("Bearer ")) {
      return authorization.substring("Bearer ".length()).trim();
    }
    String query = queryToken(exchange);
    if (query != null) {
      return query;
    }
    for (String header : exchange.getRequestHeaders().getOrDefault("Cookie", List.of())) {
      for (String cookie : header.split(";")) {
        String[] pair = cookie.trim().split("=", 2);
        if (pair.length == 2 && pair[0].equals(COOKIE)) {
          return pair[1];
        }
      }
    }
    return null;
  }

  private static String queryToken(HttpExchange exchange) {
    String query = exchange.getRequestURI().getRawQuery();
    if (query == null) {
      return null;
    }
    for (String part : query.split("&")) {
      if (part.startsWith("token=")) {
        return URLDecoder.decode(part.substring("token=".length()), StandardCharsets.UTF_8);
      }
    }
    return null;
  }

  private void serve(HttpExchange exchange) throws IOException {
    String path = exchange.getRequestURI().getPath();
    switch (path) {
      case "/" -> resource(exchange, "dashboard/index.html");
      case "/events" -> stream(exchange);
      case "/metrics" -> respond(exchange, 200, "text/plain; version=0.0.4; charset=utf-8", metrics.get());
      default -> {
        if (path.contains("..")) {
          respond(exchange, 404, "text/plain", "not found\n");
        } else if (path.startsWith("/webjars/")) {
          resource(exchange, "META-INF/resources" + path);
        } else {
          resource(exchange, "dashboard" + path);
        }
      }
    }
  }

  private static void resource(HttpExchange exchange, String name) throws IOException {
    try (InputStream in = DashboardServer.class.getClassLoader().getResourceAsStream(name)) {
      if (in == null) {
        respond(exchange, 404, "text/plain", "not found\n");
        return;
      }
      byte[] body = in.readAllBytes();
      String extension = name.substring(name.lastIndexOf('.') + 1);
      exchange.getResponseHeaders().set("Content-Type", TYPES.getOrDefault(extension, "application/octet-stream"));
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
    }
  }

  private void stream(HttpExchange exchange) throws IOException {
    BlockingQueue<Event> queue = new LinkedBlockingQueue<>();
    List<Event> history;
    synchronized (progress) {
      history = new ArrayList<>(progress);
      history.addAll(latest.values());
      streams.add(queue);
    }
    try {
      exchange.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
      exchange.getResponseHeaders().set("Cache-Control", "no-cache");
      exchange.sendResponseHeaders(200, 0);
      OutputStream out = exchange.getResponseBody();
      for (Event e : history) {
        write(out, e);
      }
      out.flush();
      while (true) {
        Event e = queue.poll(HEARTBEAT_SECONDS, TimeUnit.SECONDS);
        if (e == CLOSED) {
          return;
        }
        if (e == null) {
          // A comment line: finds out when the browser has gone.
          out.write(":\n\n".getBytes(StandardCharsets.UTF_8));
        } else {
          write(out, e);
        }
        out.flush();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      streams.remove(queue);
    }
  }

  private static void write(OutputStream out, Event e) throws IOException {
    out.write(("event: " + e.kind() + "\ndata: " + e.json() + "\n\n").getBytes(StandardCharsets.UTF_8));
  }

  private static void respond(HttpExchange exchange, int status, String type, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", type);
    exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    if (bytes.length > 0) {
      exchange.getResponseBody().write(bytes);
    }
  }

  @Override
  public void close() {
    streams.forEach(q -> q.offer(CLOSED));
    server.stop(1);
    threads.shutdownNow();
  }
}

package org.streamsbi.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streamsbi.controller.RunProgress;

class DashboardAccessTest {
  private static final String TOKEN = "correct-horse-battery";

  @TempDir Path dir;

  private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

  private HttpResponse<String> get(URI uri, String... headers) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10));
    if (headers.length > 0) {
      request.headers(headers);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void bindingBeyondLoopbackWithoutATokenIsRefusedNamingTheOption() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new DashboardConfig("0.0.0.0", 8080, Optional.empty()));
    assertTrue(e.getMessage().contains("--dashboard-token"), e.getMessage());
    assertTrue(e.getMessage().contains("0.0.0.0"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new DashboardConfig("0.0.0.0", 8080, Optional.of("  ")));

    RunCommandTest.Outcome cli = RunCommandTest.execute(
        "run", "--task", "two_moons", "--simulations", "100", "--out", dir.toString(), "--dashboard-host", "0.0.0.0");
    assertEquals(2, cli.exitCode(), cli.err());
    assertTrue(cli.err().contains("--dashboard-token"), cli.err());
    assertTrue(cli.err().contains(DashboardConfig.TOKEN_VARIABLE), cli.err());
    assertTrue(!Files.exists(dir.resolve("kafka")), "the run started although the dashboard was refused");
  }

  @Test
  void aBadPortIsRefusedNamingTheOption() {
    RunCommandTest.Outcome cli = RunCommandTest.execute(
        "run", "--task", "two_moons", "--out", dir.toString(), "--dashboard-port", "70000");
    assertEquals(2, cli.exitCode(), cli.err());
    assertTrue(cli.err().contains("dashboard.port (--dashboard-port): must be between 0 and 65535, got 70000"), cli.err());
  }

  @Test
  void aTakenPortIsRefusedNamingTheOption() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> new Dashboard(new DashboardConfig("127.0.0.1", taken.getLocalPort(), Optional.empty()), "clash"));
      assertTrue(e.getMessage().startsWith("--dashboard-port " + taken.getLocalPort()), e.getMessage());
    }
  }

  @Test
  void withATokenEveryRequestMustCarryIt() throws Exception {
    try (Dashboard dashboard = new Dashboard(new DashboardConfig("127.0.0.1", 0, Optional.of(TOKEN)), "guarded")) {
      dashboard.progress(MetricsEndpointTest.progress(10, 0, 0, 0, List.of()));
      URI page = dashboard.address();
      for (String path : List.of("", "metrics", "events", "dashboard.js")) {
        HttpResponse<String> anonymous = get(page.resolve(path));
        assertEquals(401, anonymous.statusCode(), path);
        assertTrue(anonymous.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Bearer"), path);
      }
      assertEquals(401, get(page.resolve("metrics"), "Authorization", "Bearer wrong").statusCode());

      HttpResponse<String> scrape = get(page.resolve("metrics"), "Authorization", "Bearer " + TOKEN);
      assertEquals(200, scrape.statusCode());
      assertTrue(scrape.body().contains("streamsbi_samples_ingested_total{run=\"guarded\"} 10.0"), scrape.body());

      // The browser brings the token once in the address, then as a cookie.
      HttpResponse<String> login = get(page.resolve("?token=" + TOKEN));
      assertEquals(303, login.statusCode());
      String cookie = login.headers().firstValue("Set-Cookie").orElseThrow().split(";")[0];
      HttpResponse<String> withCookie = get(page, "Cookie", cookie);
      assertEquals(200, withCookie.statusCode());
      assertTrue(withCookie.body().contains("<canvas id=\"loss\">"), withCookie.body());
      assertEquals(401, get(page, "Cookie", "streamsbi_dashboard_token=wrong").statusCode());
    }
  }

  @Test
  void onLoopbackWithoutATokenThePageAndItsChartLibraryAreServed() throws Exception {
    try (Dashboard dashboard = new Dashboard(new DashboardConfig("127.0.0.1", 0, Optional.empty()), "open")) {
      HttpResponse<String> page = get(dashboard.address());
      assertEquals(200, page.statusCode());
      String script = page.body().replaceAll("(?s).*<script src=\"(webjars/[^\"]+)\".*", "$1");
      HttpResponse<String> library = get(dashboard.address().resolve(script));
      assertEquals(200, library.statusCode(), script);
      try (InputStream jar = getClass().getClassLoader().getResourceAsStream("META-INF/resources/" + script)) {
        assertEquals(new String(jar.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8), library.body());
      }
      assertEquals(404, get(URI.create(dashboard.address() + "webjars/..%2F..%2Flogback.xml")).statusCode());
    }
  }
}

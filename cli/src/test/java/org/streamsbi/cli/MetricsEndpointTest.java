package org.streamsbi.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.streamsbi.broker.BrokerHealth;
import org.streamsbi.controller.RunProgress;

class MetricsEndpointTest {

  /** Prometheus' text format as series (name with labels) to value; comments skipped. */
  static Map<String, Double> parse(String exposition) {
    Map<String, Double> series = new HashMap<>();
    for (String line : exposition.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      int space = line.lastIndexOf(' ');
      series.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
    }
    return series;
  }

  static RunProgress progress(long samples, long failed, long deadLetters, long steps, List<RunProgress.Worker> workers) {
    return new RunProgress("metrics-run", RunProgress.Phase.TRAINING, 12.5, 5000, samples, failed, 900, 100,
        steps, 1.25, 1.5, 1.4, 0, 60_000, 0.5, 1e-3, 800, 2400, 3, 1000, deadLetters, workers,
        "tsnpe", 3, 10, Map.of("samples", deadLetters), List.of(),
        new RunProgress.Broker(BrokerHealth.State.WAITING, 12.5, 300));
  }

  @Test
  void metricsExposeTheRunsCountersGaugesAndTheJvmsInPrometheusFormat() throws Exception {
    try (Dashboard dashboard = new Dashboard(new DashboardConfig("127.0.0.1", 0, Optional.empty()), "metrics-run")) {
      HttpClient http = HttpClient.newHttpClient();
      URI metrics = dashboard.address().resolve("metrics");
      dashboard.progress(progress(1200, 4, 6, 300, List.of(new RunProgress.Worker("w-1", 1200, 4, 80, 0.01, "CLOSED"))));
      dashboard.progress(progress(1234, 5, 7, 420, List.of(
          new RunProgress.Worker("w-1", 1200, 5, 0, 0.01, "OPEN"), new RunProgress.Worker("w-2", 34, 0, 34, 0.25, ""))));

      HttpResponse<String> response = http.send(HttpRequest.newBuilder(metrics).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, response.statusCode());
      assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
      Map<String, Double> series = parse(response.body());
      String run = "{run=\"metrics-run\"}";
      assertEquals(1234, series.get("streamsbi_samples_ingested_total" + run), response.body());
      assertEquals(5, series.get("streamsbi_simulations_failed_total" + run));
      assertEquals(7, series.get("streamsbi_dead_letters_total" + run));
      assertEquals(7, series.get("streamsbi_dead_letters_by_kind_total{kind=\"samples\",run=\"metrics-run\"}"), response.body());
      assertEquals(3, series.get("streamsbi_round" + run));
      assertEquals(10, series.get("streamsbi_rounds" + run));
      assertEquals(420, series.get("streamsbi_training_steps_total" + run));
      assertEquals(1.5, series.get("streamsbi_validation_loss" + run));
      assertEquals(0.9, series.get("streamsbi_buffer_fill" + run), 1e-9);
      assertEquals(3, series.get("streamsbi_buffer_draws_per_insert" + run));
      assertEquals(5, series.get("streamsbi_simulations_failed_total" + run));
      assertEquals(5, series.get("streamsbi_worker_failed_total{run=\"metrics-run\",worker=\"w-1\"}"));
      assertEquals(34, series.get("streamsbi_worker_samples_total{run=\"metrics-run\",worker=\"w-2\"}"));
      assertEquals(1, series.get("streamsbi_worker_circuit_open{run=\"metrics-run\",worker=\"w-1\"}"));
      assertEquals(0, series.get("streamsbi_worker_circuit_open{run=\"metrics-run\",worker=\"w-2\"}"));
      assertEquals(0.25, series.get("streamsbi_worker_simulation_seconds_mean{run=\"metrics-run\",worker=\"w-2\"}"));
      assertEquals(12.5, series.get("streamsbi_broker_silent_seconds" + run), "waiting for the broker");
      assertTrue(series.keySet().stream().anyMatch(s -> s.startsWith("jvm_memory_used_bytes")), "JVM metrics missing");
      assertTrue(series.keySet().stream().anyMatch(s -> s.startsWith("process_uptime_seconds")), "process metrics missing");
    }
  }

  @Test
  void everyMetricTheProvisionedGrafanaDashboardQueriesIsExposed() throws Exception {
    String grafana = Files.readString(Path.of("..", "docker", "grafana", "dashboards", "streamsbi.json"));
    Set<String> queried = new TreeSet<>();
    Matcher m = Pattern.compile("(?:streamsbi|jvm|process)_[a-z_]+").matcher(grafana);
    while (m.find()) {
      queried.add(m.group());
    }
    assertTrue(queried.size() >= 10, "too few metric names found in the Grafana dashboard: " + queried);
    try (Dashboard dashboard = new Dashboard(new DashboardConfig("127.0.0.1", 0, Optional.empty()), "metrics-run")) {
      dashboard.progress(progress(10, 1, 1, 5, List.of(new RunProgress.Worker("w-1", 10, 1, 1, 0.01, "CLOSED"))));
      HttpResponse<String> response = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(dashboard.address().resolve("metrics")).build(), HttpResponse.BodyHandlers.ofString());
      Set<String> exposed = parse(response.body()).keySet().stream()
          .map(series -> series.replaceAll("\\{.*", "")).collect(Collectors.toSet());
      Set<String> missing = new TreeSet<>(queried);
      missing.removeAll(exposed);
      assertTrue(missing.isEmpty(), "the Grafana dashboard queries metrics /metrics lacks: " + missing);
    }
  }
}

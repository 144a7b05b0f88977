package org.streamsbi.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import org.streamsbi.controller.RunProgress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A run's live dashboard and its Prometheus metrics: takes the run's events, from the run itself or
 * from its events topic, and serves them.
 */
final class Dashboard implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Dashboard.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final RunMetrics metrics;
  private final DashboardServer server;

  Dashboard(DashboardConfig config, String run) {
    metrics = new RunMetrics(run);
    try {
      server = new DashboardServer(config, metrics::scrape);
    } catch (RuntimeException e) {
      metrics.close();
      throw e;
    }
  }

  URI address() {
    return server.address();
  }

  void progress(RunProgress progress) {
    metrics.record(progress);
    try {
      server.publish(new DashboardServer.Event("progress", "", JSON.writeValueAsString(progress)));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a progress record always serialises", e);
    }
  }

  /**
   * An event as the run writes it to its events topic: the record's key names its kind (progress,
   * posterior, worker).
   */
  void event(String kind, byte[] value) {
    try {
      if ("progress".equals(kind)) {
        progress(JSON.readValue(value, RunProgress.class));
        return;
      }
      JsonNode json = JSON.readTree(value);
      String key = "worker".equals(kind) && json.hasNonNull("worker") ? json.get("worker").asText() : "";
      server.publish(new DashboardServer.Event(kind, key, JSON.writeValueAsString(json)));
    } catch (IOException e) {
      LOG.warn("skipping an unreadable {} event: {}", kind, new String(value, 0, Math.min(value.length, 200), StandardCharsets.UTF_8));
    }
  }

  @Override
  public void close() {
    server.close();
    metrics.close();
  }
}

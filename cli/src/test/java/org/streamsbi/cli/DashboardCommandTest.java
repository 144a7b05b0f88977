package org.streamsbi.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streamsbi.broker.EmbeddedKafkaBroker;
import org.streamsbi.broker.KafkaClients;
import org.streamsbi.broker.RunTopics;
import org.streamsbi.broker.TopicProvisioner;
import org.streamsbi.controller.RunProgress;
import picocli.CommandLine;

/** {@code streamsbi dashboard} rebuilds a remote run's dashboard and metrics from its events topic. */
class DashboardCommandTest {
  private static final Pattern ADDRESS = Pattern.compile(" at (http://\\S+/)");
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  @Test
  void attachesToARunThroughItsEventsTopicFromTheBeginning() throws Exception {
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(dir.resolve("kafka"))) {
      RunTopics topics = new RunTopics("remote-run");
      KafkaClients clients = new KafkaClients(broker.bootstrapServers());
      try (Admin admin = clients.admin()) {
        new TopicProvisioner(admin, Duration.ofMinutes(1)).provision(topics, 1);
      }
      // Written before the dashboard starts: it must replay them.
      try (KafkaProducer<String, byte[]> producer = clients.producer("remote-run-test")) {
        for (long samples : new long[] {400, 1700}) {
          RunProgress p = MetricsEndpointTest.progress(samples, 2, 3, samples / 10,
              List.of(new RunProgress.Worker("far-worker", samples, 2, 50, 0.5, "")));
          producer.send(new ProducerRecord<>(topics.events(), "progress", JSON.writeValueAsBytes(p))).get();
        }
        producer.send(new ProducerRecord<>(topics.events(), "posterior",
            JSON.writeValueAsBytes(Map.of("theta", List.of(List.of(0.5, -0.25)))))).get();
      }

      RunCommandTest.Outcome unknown = RunCommandTest.execute(
          "dashboard", "--bootstrap-servers", broker.bootstrapServers(), "--run", "no-such-run", "--dashboard-port", "0");
      assertEquals(2, unknown.exitCode(), unknown.err());
      assertTrue(unknown.err().contains("no topic streamsbi.no-such-run.events"), unknown.err());

      StringWriter err = new StringWriter();
      CommandLine cli = StreamSbi.commandLine();
      cli.setErr(new PrintWriter(err, true));
      Thread command = new Thread(() -> cli.execute(
          "dashboard", "--bootstrap-servers", broker.bootstrapServers(), "--run", "remote-run", "--dashboard-port", "0"));
      command.start();
      try {
        String address = null;
        for (int i = 0; i < 600 && address == null; i++) {
          Matcher m = ADDRESS.matcher(err.toString());
          address = m.find() ? m.group(1) : null;
          Thread.sleep(50);
        }
        assertNotNull(address, err.toString());

        List<String> events = new ArrayList<>();
        HttpResponse<InputStream> stream = HttpClient.newHttpClient().send(
            HttpRequest.newBuilder(URI.create(address + "events")).build(), HttpResponse.BodyHandlers.ofInputStream());
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8))) {
          String line;
          while (events.size() < 3 && (line = lines.readLine()) != null) {
            if (line.startsWith("data: ")) {
              events.add(line);
            }
          }
        }
        assertEquals(3, events.size(), String.valueOf(events));
        assertTrue(events.stream().anyMatch(e -> e.contains("\"samples\":1700")), String.valueOf(events));
        assertTrue(events.stream().anyMatch(e -> e.contains("\"theta\":[[0.5,-0.25]]")), String.valueOf(events));

        String metrics = HttpClient.newHttpClient().send(
            HttpRequest.newBuilder(URI.create(address + "metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
        Map<String, Double> series = MetricsEndpointTest.parse(metrics);
        assertEquals(1700, series.get("streamsbi_samples_ingested_total{run=\"remote-run\"}"), metrics);
        assertEquals(1700, series.get("streamsbi_worker_samples_total{run=\"remote-run\",worker=\"far-worker\"}"), metrics);
      } finally {
        command.interrupt();
        command.join(30_000);
      }
    }
  }
}

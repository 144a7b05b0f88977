package org.streamsbi.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.streamsbi.broker.EmbeddedKafkaBroker;
import org.streamsbi.broker.KafkaClients;
import org.streamsbi.broker.RunTopics;

/** {@code run} on a cluster whose broker goes away and stays away. */
class BrokerOutageRunTest {

  @TempDir Path dir;

  // Not the bound under test: a run that does not end would otherwise hold the build forever.
  @Test
  @Timeout(value = 3, unit = TimeUnit.MINUTES)
  void aBrokerGoneForLongerThanTheLimitEndsTheRunWithExitOneAndASummaryNamingTheLimit() throws Exception {
    EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(dir.resolve("kafka"));
    String servers = broker.bootstrapServers();
    Path out = dir.resolve("out");
    Thread outage = new Thread(() -> {
      // Once the run's first samples are committed, mid-run.
      awaitSamples(servers, new RunTopics("outage-cli"));
      broker.close();
    }, "broker-outage");
    try {
      outage.start();
      RunCommandTest.Outcome o = RunCommandTest.execute("run", "--task", "two_moons", "--simulations", "20000",
          "--run", "outage-cli", "--bootstrap-servers", servers, "--broker-outage-limit", "4", "--no-dashboard",
          "--out", out.toString());
      outage.join();

      assertEquals(1, o.exitCode(), o.err());
      assertTrue(o.err().contains("Kafka broker at " + servers) && o.err().contains("broker outage limit of 4 s"), o.err());
      assertTrue(o.err().contains("for the Kafka broker"), "the progress lines say it waits: " + o.err());
      JsonNode summary = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
      assertTrue(summary.get("failure").asText().contains("broker outage limit of 4 s"), summary.toString());
      assertEquals(0, summary.get("abandoned_proposals").asLong(), "the proposals stay issued: " + summary);
      assertTrue(summary.get("samples").asLong() > 0, summary.toString());
    } finally {
      outage.interrupt();
      outage.join();
      broker.close();
    }
  }

  @Test
  void anOutageLimitOutOfRangeStopsAtStartNamingTheField() {
    RunCommandTest.Outcome o = RunCommandTest.execute("run", "--task", "two_moons", "--bootstrap-servers", "127.0.0.1:9",
        "--broker-outage-limit", "0", "--out", dir.resolve("out").toString());
    assertEquals(2, o.exitCode(), o.err());
    assertTrue(o.err().contains("kafka.outage_limit_seconds (--broker-outage-limit): outageLimit must be positive"), o.err());
  }

  private static void awaitSamples(String servers, RunTopics topics) {
    try (KafkaConsumer<String, byte[]> reader = new KafkaClients(servers).reader("outage-watch")) {
      while (!Thread.currentThread().isInterrupted()) {
        if (reader.listTopics(Duration.ofSeconds(5)).containsKey(topics.samples())) {
          List<TopicPartition> partitions = reader.partitionsFor(topics.samples()).stream()
              .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
          Map<TopicPartition, Long> end = reader.endOffsets(partitions);
          if (end.values().stream().mapToLong(Long::longValue).sum() > 0) {
            return;
          }
        }
        Thread.sleep(100);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}

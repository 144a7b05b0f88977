package org.streamsbi.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streamsbi.broker.BrokerHealth;
import org.streamsbi.broker.BrokerHealthConfig;
import org.streamsbi.broker.EmbeddedKafkaBroker;
import org.streamsbi.broker.KafkaClients;
import org.streamsbi.broker.RunTopics;
import org.streamsbi.core.Sample;
import org.streamsbi.core.arrow.SampleCodec;
import org.streamsbi.core.prior.BoxUniform;
import org.streamsbi.simulator.Simulator;
import org.streamsbi.trainer.TrainerConfig;

/**
 * A run on a cluster whose broker goes away: the broker is an embedded one the test stops and
 * starts again on the same port and data, so that the run sees it as an external cluster would.
 */
class BrokerOutageTest {
  private static final int BUDGET = 600;
  /** Simulations take long enough for the outage to fall inside the simulation phase. */
  private static final Simulator SLOW = Simulator.of(2, 2, (theta, seed) -> {
    try {
      Thread.sleep(10);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return new float[] {theta[0] + 0.1f * theta[1], theta[1]};
  });

  @TempDir Path dir;

  @Test
  void aRunWaitsForABrokerThatComesBackAndLosesNothing() throws Exception {
    AtomicReference<EmbeddedKafkaBroker> broker = new AtomicReference<>(EmbeddedKafkaBroker.start(dir.resolve("kafka")));
    List<RunProgress> reports = new CopyOnWriteArrayList<>();
    Thread outage = outage(reports, p -> p.samples() >= 100, () -> {
      broker.get().close();
      Thread.sleep(6_000);
      broker.set(broker.get().restart());
    });
    try {
      RunConfig config = RunConfig.custom("outage", BUDGET).bootstrapServers(broker.get().bootstrapServers())
          .proposalsPerMessage(10).patience(3)
          .brokerHealth(BrokerHealthConfig.withOutageLimit(Duration.ofSeconds(60))).build();
      try (RunResult result = new OnlineNpe(BoxUniform.of(2, -1, 1), SLOW).onProgress(reports::add).run(config)) {
        outage.join();
        RunSummary summary = result.summary();
        assertEquals(BUDGET, summary.samples(), "samples: " + summary);
        assertEquals(0, summary.duplicateSamples(), "duplicates in the buffer: " + summary);
        assertEquals(0, summary.failedProposals() + summary.abandonedProposals(), summary.toString());
        Map<String, Integer> committed = committedSamplesByProposal(broker.get().bootstrapServers(), "outage");
        assertEquals(BUDGET, committed.size(), "proposals with a committed sample");
        assertTrue(committed.values().stream().allMatch(n -> n == 1), "each proposal's sample committed once: " + committed);
        List<RunProgress> waiting = reports.stream().filter(p -> p.broker().waiting()).toList();
        assertTrue(waiting.size() >= 3, "the reports while the broker was away say so: " + waiting.size());
        assertTrue(waiting.stream().allMatch(p -> p.broker().state() == BrokerHealth.State.WAITING
            && p.broker().outageLimitSeconds() == 60), "waiting within the limit: " + waiting.get(0).broker());
        assertEquals(BrokerHealth.State.CONNECTED, reports.get(reports.size() - 1).broker().state());
      }
    } finally {
      outage.interrupt();
      outage.join();
      broker.get().close();
    }
  }

  @Test
  void aBrokerThatStaysAwayStopsTheRunAtTheLimitWithItsCheckpointAndCommittedSamples() throws Exception {
    EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(dir.resolve("kafka"));
    String servers = broker.bootstrapServers();
    List<RunProgress> reports = new CopyOnWriteArrayList<>();
    AtomicLong stoppedAt = new AtomicLong();
    // Once training has checkpointed, so that what a resumed run continues from exists.
    Path checkpoints = dir.resolve("checkpoints");
    Thread outage = outage(reports, p -> p.steps() >= 100 && Files.exists(checkpoints.resolve("checkpoint.bin")), () -> {
      stoppedAt.set(System.nanoTime());
      broker.close();
    });
    try {
      RunConfig config = RunConfig.custom("lost", BUDGET * 4).bootstrapServers(servers)
          .proposalsPerMessage(10).watermark(50)
          .trainer(TrainerConfig.defaults().withBatchSize(32).withCheckpoints(checkpoints, 50, false))
          .brokerHealth(BrokerHealthConfig.withOutageLimit(Duration.ofSeconds(3))).build();
      RunFailedException e = assertThrows(RunFailedException.class,
          () -> new OnlineNpe(BoxUniform.of(2, -1, 1), SLOW).onProgress(reports::add).run(config));
      double seconds = (System.nanoTime() - stoppedAt.get()) / 1e9;
      outage.join();
      assertTrue(e.getMessage().contains("Kafka broker at " + servers)
          && e.getMessage().contains("broker outage limit of 3 s"), e.getMessage());
      // The clients' own timeouts are a minute and more: the limit, not they, ended the run.
      assertTrue(seconds < 20, "stopped " + seconds + " s after the broker, with a limit of 3 s");
      assertTrue(reports.stream().anyMatch(p -> p.broker().state() == BrokerHealth.State.LOST),
          "the last report says the broker is lost");
      RunSummary summary = e.summary();
      assertEquals(0, summary.abandonedProposals(), "nothing abandoned: the proposals stay issued for a resume");
      assertTrue(summary.samples() > 0 && summary.samples() < BUDGET * 4, summary.toString());
      assertTrue(Files.exists(checkpoints.resolve("checkpoint.bin")), "the training checkpoint");
      try (EmbeddedKafkaBroker back = broker.restart()) {
        Map<String, Integer> committed = committedSamplesByProposal(back.bootstrapServers(), "lost");
        assertTrue(committed.size() >= summary.samples(), "every sample the run had is in the topic: "
            + committed.size() + " of " + summary.samples());
        assertTrue(committed.values().stream().allMatch(n -> n == 1), "each committed once");
      }
    } finally {
      outage.interrupt();
      outage.join();
      broker.close();
    }
  }

  /** A fault to inject once a report satisfies {@code when}, on a thread of its own. */
  private interface Fault {
    void run() throws InterruptedException;
  }

  private static Thread outage(List<RunProgress> reports, Predicate<RunProgress> when, Fault fault) {
    Thread thread = new Thread(() -> {
      try {
        while (reports.isEmpty() || !when.test(reports.get(reports.size() - 1))) {
          Thread.sleep(20);
        }
        fault.run();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "broker-outage");
    thread.start();
    return thread;
  }

  /** The committed samples on the run's samples topic, counted by proposal id. */
  private static Map<String, Integer> committedSamplesByProposal(String servers, String run) {
    SampleCodec codec = new SampleCodec(2, 2);
    Map<String, Integer> out = new HashMap<>();
    try (KafkaConsumer<String, byte[]> reader = new KafkaClients(servers).reader(run + "-check")) {
      List<TopicPartition> partitions = reader.partitionsFor(new RunTopics(run).samples()).stream()
          .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
      reader.assign(partitions);
      reader.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = reader.endOffsets(partitions);
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (partitions.stream().anyMatch(p -> reader.position(p) < end.get(p)) && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, byte[]> r : reader.poll(Duration.ofMillis(200))) {
          for (Sample s : codec.decode(r.value())) {
            out.merge(s.proposalId(), 1, Integer::sum);
          }
        }
      }
    }
    return out;
  }
}

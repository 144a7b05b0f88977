package org.streamsbi.simulator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streamsbi.broker.KafkaClients;
import org.streamsbi.broker.RunTopics;
import org.streamsbi.core.Proposal;
import org.streamsbi.core.Sample;
import org.streamsbi.core.arrow.SampleCodec;

/** A worker in a separate JVM killed with SIGKILL mid-run loses no proposal and duplicates none. */
class KillTest {
  private static final int PROPOSALS = 200;

  /** 40 ms per simulation, x = 2θ + seed mod 3, failing for θ > 0.9. */
  static final Simulator SLOW = Simulator.of(1, 1, (theta, seed) -> {
    try {
      Thread.sleep(40);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SimulationException("interrupted");
    }
    if (theta[0] > 0.9f) {
      throw new SimulationException("diverged");
    }
    return new float[] {2 * theta[0] + seed % 3};
  });

  @TempDir Path dir;

  static KafkaClients clients(String bootstrap) {
    return new KafkaClients(bootstrap,
        Map.of("session.timeout.ms", 6000, "heartbeat.interval.ms", 1000, "transaction.timeout.ms", 10000));
  }

  @Test
  void killedWorkersProposalsAreRedeliveredWithoutDuplicates() throws Exception {
    RunTopics topics = SharedBroker.provision("sigkill", 4);
    KafkaClients clients = SharedBroker.clients();
    List<Proposal> proposals = new ArrayList<>();
    for (int i = 0; i < PROPOSALS; i++) {
      proposals.add(new Proposal(topics.run(), 1, String.format("k-%04d", i), i, new float[] {i / (float) PROPOSALS}));
    }
    SharedBroker.publish(topics, proposals, 5);

    Path log = dir.resolve("child.log");
    Process child = KillableWorker.launch(log, topics.run(), "doomed", SharedBroker.bootstrapServers());
    RunRecords before;
    RunRecords after;
    try (Workers workers = new Workers()) {
      before = RunRecords.read(clients, topics, new SampleCodec(1, 1), r -> r.resolved() >= 40, Duration.ofSeconds(60));
      assertTrue(before.resolved() >= 40 && before.resolved() < PROPOSALS,
          "the child was mid-run, resolved " + before.resolved() + "; its log: " + Files.readString(log));
      child.destroyForcibly().waitFor();
      SimulationWorker survivor = workers.start(new SimulationWorker("survivor", clients, topics, SLOW,
          SimulationWorkerConfig.custom().concurrency(2).maxAttempts(1).failureRateThreshold(100).build()));
      after = RunRecords.read(clients, topics, new SampleCodec(1, 1), r -> r.resolved() >= PROPOSALS, Duration.ofSeconds(90));
      assertTrue(survivor.simulated() + survivor.failed() > 0, "the survivor took over the killed worker's proposals");
    } finally {
      child.destroyForcibly();
    }
    assertEquals(PROPOSALS, after.resolved());
    after.assertNoneEndedTwice();
    long failing = proposals.stream().filter(p -> p.theta()[0] > 0.9f).count();
    assertEquals(failing, after.proposalLetters.size());
    for (Proposal p : proposals) {
      List<Sample> s = after.samplesByProposal.get(p.proposalId());
      if (s != null) {
        assertArrayEquals(new float[] {2 * p.theta()[0] + p.seed() % 3}, s.get(0).x(), "reproducible on any worker");
      }
    }
  }
}

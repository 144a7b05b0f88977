package org.streamsbi.simulator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streamsbi.broker.KafkaClients;
import org.streamsbi.broker.RunTopics;
import org.streamsbi.core.Proposal;
import org.streamsbi.core.Sample;
import org.streamsbi.core.arrow.SampleCodec;

/**
 * A worker of a persistent program, in a separate JVM killed with SIGKILL mid-batch, loses no
 * proposal and duplicates none, and its programs end with it.
 */
class PersistentKillTest {
  private static final int PROPOSALS = 300;
  static final SimulationWorkerConfig CONFIG =
      SimulationWorkerConfig.custom().concurrency(2).maxAttempts(1).circuitBreaker(false).build();

  /** 20 ms per item, batches of 10. */
  static ProcessSimulatorConfig slow(String pidDirectory) {
    return PersistentProcessSimulatorTest.program("slow").batchSize(10).environment("PID_DIR", pidDirectory).build();
  }

  @TempDir Path dir;

  @Test
  void killedWorkersBatchesAreRedeliveredWithoutDuplicatesAndItsProgramsEnd() throws Exception {
    RunTopics topics = SharedBroker.provision("persistent-sigkill", 4);
    KafkaClients clients = SharedBroker.clients();
    List<Proposal> proposals = new ArrayList<>();
    for (int i = 0; i < PROPOSALS; i++) {
      proposals.add(new Proposal(topics.run(), 1, String.format("k-%04d", i), i, new float[] {i, 1}));
    }
    SharedBroker.publish(topics, proposals, 5);
    Path childPids = Files.createDirectory(dir.resolve("child"));
    Path log = dir.resolve("child.log");
    Process child = KillableWorker.launch(log, topics.run(), "doomed", SharedBroker.bootstrapServers(), childPids.toString());
    RunRecords after;
    try (Workers workers = new Workers()) {
      RunRecords before =
          RunRecords.read(clients, topics, new SampleCodec(2, 2), r -> r.resolved() >= 60, Duration.ofSeconds(60));
      assertTrue(before.resolved() >= 60 && before.resolved() < PROPOSALS,
          "the child was mid-run, resolved " + before.resolved() + "; its log: " + Files.readString(log));
      List<ProcessHandle> programs = new ArrayList<>();
      try (var files = Files.list(childPids)) {
        files.forEach(f -> ProcessHandle.of(Long.parseLong(f.getFileName().toString())).ifPresent(programs::add));
      }
      assertTrue(!programs.isEmpty(), "the child's programs are running");
      child.destroyForcibly().waitFor();
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (programs.stream().anyMatch(ProcessHandle::isAlive) && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      assertTrue(programs.stream().noneMatch(ProcessHandle::isAlive),
          "the killed worker's programs saw the end of their input and exited");

      SimulationWorker survivor = workers.start(new SimulationWorker("survivor", clients, topics,
          new PersistentProcessSimulator(slow(Files.createDirectory(dir.resolve("survivor")).toString())), CONFIG));
      after = RunRecords.read(clients, topics, new SampleCodec(2, 2), r -> r.resolved() >= PROPOSALS, Duration.ofSeconds(90));
      assertTrue(survivor.simulated() > 0, "the survivor took over the killed worker's proposals");
    } finally {
      child.destroyForcibly();
    }
    assertEquals(PROPOSALS, after.resolved());
    assertEquals(List.of(), after.duplicateSamples());
    assertEquals(0, after.proposalLetters.size());
    for (Proposal p : proposals) {
      List<Sample> s = after.samplesByProposal.get(p.proposalId());
      assertArrayEquals(new float[] {p.theta()[0] + p.seed() % 7, 1}, s.get(0).x(), "reproducible on any worker");
    }
  }
}

package org.streamsbi.simulator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.kafka.common.header.Headers;
import org.junit.jupiter.api.Test;
import org.streamsbi.broker.DeadLetters;
import org.streamsbi.broker.KafkaClients;
import org.streamsbi.broker.RunTopics;
import org.streamsbi.core.Proposal;
import org.streamsbi.core.Sample;
import org.streamsbi.core.arrow.SampleCodec;

/** Process simulators that fail in every way, and a streaming solver, through Kafka. */
class ProcessWorkerTest {

  @Test
  void everyProposalOfAMisbehavingProcessEndsAsOneSampleOrOneDeadLetter() throws Exception {
    RunTopics topics = SharedBroker.provision("process-failures", 4);
    KafkaClients clients = SharedBroker.clients();
    List<Proposal> proposals = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      // seed % 10 picks the flaky simulator's behaviour: each of the ten occurs six times
      proposals.add(new Proposal(topics.run(), 1, String.format("p-%03d", i), 1000 + i, new float[] {i / 60f, -i / 60f}));
    }
    SharedBroker.publish(topics, proposals, 3);
    // The limit leaves a loaded machine time to start Python, so that only the hanging mode times out.
    SimulationWorkerConfig config =
        SimulationWorkerConfig.custom().concurrency(2).timeLimit(Duration.ofMillis(4000)).maxAttempts(2)
            .initialBackoff(Duration.ofMillis(20)).failureRateThreshold(100).build();
    ProcessSimulatorConfig flaky =
        ProcessSimulatorConfig.custom("python3", Scripts.path("flaky.py")).thetaDimension(2).xDimension(2).build();
    RunRecords records;
    try (Workers workers = new Workers()) {
      workers.start(new SimulationWorker("flaky-1", clients, topics, new ProcessSimulator(flaky), config));
      workers.start(new SimulationWorker("flaky-2", clients, topics, new ProcessSimulator(flaky), config));
      records = RunRecords.read(clients, topics, new SampleCodec(2, 2), r -> r.resolved() >= 60, Duration.ofSeconds(90));
      assertEquals(60, workers.simulated() + workers.failed());
    }

    assertEquals(60, records.resolved());
    assertEquals(List.of(), records.duplicateSamples());
    assertEquals(List.of(), records.duplicateLetters);
    for (Proposal p : proposals) {
      List<Sample> samples = records.samplesByProposal.getOrDefault(p.proposalId(), List.of());
      Headers letter = records.proposalLetters.get(p.proposalId());
      assertTrue(samples.size() + (letter == null ? 0 : 1) == 1, "exactly one outcome for " + p);
      int mode = (int) (p.seed() % 10);
      switch (mode) {
        case 0 -> assertLetter(letter, "timed-out", "exceeded its time limit", "2", "hanging");
        case 1 -> assertLetter(letter, "invalid-output", "unparsable output", "1", "");
        case 2 -> assertLetter(letter, "invalid-output", "non-finite", "1", "");
        case 3 -> assertLetter(letter, "invalid-output", "returned 3 values, expected 2", "1", "");
        case 4, 5 -> {
          if (letter != null) {
            assertLetter(letter, "failed", "exited with status 3", "2", "random crash at seed " + p.seed());
            assertEquals("3", RunRecords.header(letter, "streamsbi.exit-code"));
          }
        }
        default -> assertArrayEquals(new float[] {p.theta()[0] + p.seed() % 7, p.theta()[1]}, samples.get(0).x());
      }
      if (letter != null) {
        assertEquals(Long.toString(p.seed()), RunRecords.header(letter, "streamsbi.seed"));
        assertEquals(java.util.Arrays.toString(p.theta()), RunRecords.header(letter, "streamsbi.theta"));
      }
    }
  }

  private static void assertLetter(Headers letter, String failure, String reason, String attempts, String stderr) {
    assertTrue(letter != null, "expected a dead letter (" + reason + ")");
    assertEquals(failure, RunRecords.header(letter, "streamsbi.failure"));
    String why = RunRecords.header(letter, DeadLetters.REASON);
    assertTrue(why.contains(reason), why);
    assertEquals(attempts, RunRecords.header(letter, "streamsbi.attempts"));
    String tail = RunRecords.header(letter, "streamsbi.stderr-tail");
    assertTrue(tail.contains(stderr), tail);
  }

  @Test
  void streamingSolverKeepsWhatItEmittedBeforeDying() throws Exception {
    RunTopics topics = SharedBroker.provision("streaming", 2);
    KafkaClients clients = SharedBroker.clients();
    List<Proposal> proposals = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      proposals.add(new Proposal(topics.run(), 1, "s-" + i, 50 + i, new float[] {i / 12f + 0.01f}));
    }
    SharedBroker.publish(topics, proposals, 4);
    StreamingProcessSimulator solver =
        new StreamingProcessSimulator(
            ProcessSimulatorConfig.custom("python3", Scripts.path("solver.py")).thetaDimension(1).xDimension(2).build());
    RunRecords records;
    try (Workers workers = new Workers()) {
      workers.start(new SimulationWorker("solver-1", clients, topics, solver,
          SimulationWorkerConfig.custom().concurrency(2).maxAttempts(2).initialBackoff(Duration.ofMillis(10)).build()));
      records = RunRecords.read(clients, topics, new SampleCodec(1, 2),
          r -> r.resolved() >= 12 && r.proposalLetters.size() >= 5, Duration.ofSeconds(60));
    }
    assertEquals(List.of(), records.duplicateSamples());
    for (Proposal p : proposals) {
      boolean dies = p.theta()[0] > 0.5f;
      List<Sample> samples = records.samplesByProposal.get(p.proposalId());
      assertEquals(dies ? 3 : 5, samples.size(), p.toString());
      for (Sample s : samples) {
        int step = Integer.parseInt(s.sampleId().substring(s.sampleId().indexOf('#') + 1));
        assertEquals(p.proposalId() + "#" + step, s.sampleId());
        assertArrayEquals(new float[] {p.theta()[0] * step, p.seed() % 5}, s.x());
      }
      Headers letter = records.proposalLetters.get(p.proposalId());
      assertEquals(dies, letter != null, p.toString());
      if (dies) {
        assertEquals("9", RunRecords.header(letter, "streamsbi.exit-code"));
        assertEquals("3", RunRecords.header(letter, "streamsbi.emitted-outputs"));
        assertTrue(RunRecords.header(letter, "streamsbi.stderr-tail").contains("blew up at step 3"));
      }
    }
  }

  @Test
  void openCircuitStopsTheWorkerAndLosesNothing() throws Exception {
    RunTopics topics = SharedBroker.provision("breaker", 1);
    KafkaClients clients = SharedBroker.clients();
    List<Proposal> proposals = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      proposals.add(new Proposal(topics.run(), 1, "b-" + i, i, new float[] {i}));
    }
    SharedBroker.publish(topics, proposals, 1);
    Simulator broken = Simulator.of(1, 1, (theta, seed) -> {
      throw new SimulationException("licence server unreachable");
    });
    SimulationWorkerConfig config =
        SimulationWorkerConfig.custom().maxAttempts(1).slidingWindowSize(4).minimumNumberOfCalls(4)
            .waitDurationInOpenState(Duration.ofHours(1)).build();
    try (Workers workers = new Workers()) {
      SimulationWorker worker = workers.start(new SimulationWorker("broken", clients, topics, broken, config));
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (!worker.circuitState().equals("OPEN") && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      assertEquals("OPEN", worker.circuitState());
      assertTrue(worker.failed() < 10, "an open circuit takes no more proposals");
      String event = Events.await(clients, topics, "\"circuit_breaker\":\"OPEN\"", Duration.ofSeconds(20));
      assertTrue(event.contains("\"worker\":\"broken\""), event);

      // The proposals it did not finish are still there for a healthy worker.
      workers.start(new SimulationWorker("healthy", clients, topics, Simulator.of(1, 1, (theta, seed) -> theta), config));
      RunRecords records = RunRecords.read(clients, topics, new SampleCodec(1, 1), r -> r.resolved() >= 10, Duration.ofSeconds(30));
      assertEquals(10, records.resolved());
      assertEquals(List.of(), records.duplicateSamples());
      Set<String> both = new java.util.HashSet<>(records.samplesByProposal.keySet());
      both.retainAll(records.proposalLetters.keySet());
      assertEquals(Set.of(), both);
      assertEquals(worker.failed(), records.proposalLetters.size());
      records.proposalLetters.values().forEach(h ->
          assertEquals("licence server unreachable", RunRecords.header(h, DeadLetters.REASON)));
    }
  }
}

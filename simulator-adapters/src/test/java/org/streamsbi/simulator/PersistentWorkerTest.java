package org.streamsbi.simulator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.header.Headers;
import org.junit.jupiter.api.Test;
import org.streamsbi.broker.DeadLetters;
import org.streamsbi.broker.KafkaClients;
import org.streamsbi.broker.RunTopics;
import org.streamsbi.core.Proposal;
import org.streamsbi.core.Sample;
import org.streamsbi.core.arrow.SampleCodec;

/**
 * Persistent programs that fail in every way, through Kafka: each run completes its budget, every
 * proposal ending as one sample or one dead letter with its reason and stderr tail.
 */
class PersistentWorkerTest {

  private record Run(List<Proposal> proposals, RunRecords records) {}

  /** Runs {@code n} proposals with seeds 0..n-1 through two workers of the given program. */
  private static Run run(String name, int n, ProcessSimulatorConfig program, SimulationWorkerConfig config)
      throws Exception {
    RunTopics topics = SharedBroker.provision(name, 2);
    KafkaClients clients = SharedBroker.clients();
    List<Proposal> proposals = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      proposals.add(new Proposal(topics.run(), 1, String.format("q-%03d", i), i, new float[] {i / 10f, -i / 10f}));
    }
    SharedBroker.publish(topics, proposals, 2);
    RunRecords records;
    try (Workers workers = new Workers()) {
      for (int w = 1; w <= 2; w++) {
        workers.start(new SimulationWorker(name + "-" + w, clients, topics, new PersistentProcessSimulator(program), config));
      }
      records = RunRecords.read(clients, topics, new SampleCodec(2, 2), r -> r.resolved() >= n, Duration.ofSeconds(120));
      assertEquals(n, workers.simulated() + workers.failed(), "the workers committed every proposal once");
    }
    assertEquals(n, records.resolved());
    records.assertNoneEndedTwice();
    return new Run(proposals, records);
  }

  private static void assertSample(Run run, Proposal p) {
    List<Sample> samples = run.records().samplesByProposal.get(p.proposalId());
    assertTrue(samples != null && samples.size() == 1, "one sample for " + p);
    assertArrayEquals(new float[] {p.theta()[0] + p.seed() % 7, p.theta()[1]}, samples.get(0).x());
  }

  private static void assertLetter(Run run, Proposal p, String failure, String reason, String attempts, String stderr) {
    Headers letter = run.records().proposalLetters.get(p.proposalId());
    assertTrue(letter != null, "a dead letter for " + p + " (" + reason + ")");
    assertEquals(failure, RunRecords.header(letter, "streamsbi.failure"));
    String why = RunRecords.header(letter, DeadLetters.REASON);
    assertTrue(why.contains(reason), why);
    assertEquals(attempts, RunRecords.header(letter, "streamsbi.attempts"), p.toString());
    String tail = RunRecords.header(letter, "streamsbi.stderr-tail");
    assertTrue(tail.contains(stderr), tail);
    assertEquals(Long.toString(p.seed()), RunRecords.header(letter, "streamsbi.seed"));
  }

  @Test
  void aProgramThatCrashesOnItsFifthRequestLosesOnlyThatRequestsProposals() throws Exception {
    Run run = run("persistent-crash", 60,
        PersistentProcessSimulatorTest.program("crash-5th").batchSize(3).build(),
        SimulationWorkerConfig.custom().concurrency(2).maxAttempts(1).circuitBreaker(false).build());
    assertTrue(run.records().proposalLetters.size() >= 1, "a program reached its fifth request");
    for (Proposal p : run.proposals()) {
      Headers letter = run.records().proposalLetters.get(p.proposalId());
      if (letter == null) {
        assertSample(run, p);
      } else {
        assertLetter(run, p, "failed", "exited with status 3", "1", "crashing on request 5");
        assertEquals("3", RunRecords.header(letter, "streamsbi.exit-code"));
      }
    }
  }

  @Test
  void aHangingProposalTimesOutAloneAndTheRestOfItsBatchIsRetried() throws Exception {
    Run run = run("persistent-hang", 30,
        PersistentProcessSimulatorTest.program("hang").batchSize(3).build(),
        SimulationWorkerConfig.custom().concurrency(2).timeLimit(Duration.ofSeconds(3)).maxAttempts(2)
            .initialBackoff(Duration.ofMillis(20)).build());
    for (Proposal p : run.proposals()) {
      if (p.seed() % 10 == 0) {
        assertLetter(run, p, "timed-out", "exceeded its time limit of 3000 ms", "2", "hanging at seeds [" + p.seed() + "]");
      } else {
        assertSample(run, p);
      }
    }
  }

  @Test
  void garbageForOneItemOfABatchSetsAsideThatItemOnly() throws Exception {
    Run run = run("persistent-garbage", 40,
        PersistentProcessSimulatorTest.program("garbage").batchSize(5).build(),
        SimulationWorkerConfig.custom().concurrency(2).maxAttempts(2).initialBackoff(Duration.ofMillis(20)).build());
    for (Proposal p : run.proposals()) {
      switch ((int) (p.seed() % 10)) {
        case 1 -> assertLetter(run, p, "invalid-output", "non-finite", "1", "");
        case 2 -> assertLetter(run, p, "invalid-output", "returned 3 values, expected 2", "1", "");
        case 3 -> assertLetter(run, p, "failed", "simulator reported an error: RuntimeError: diverged at seed " + p.seed(),
            "2", "");
        default -> assertSample(run, p);
      }
    }
  }

  @Test
  void aProgramThatExitsAtStartMakesEveryProposalADeadLetterAndTheRunEnds() throws Exception {
    Run run = run("persistent-exit", 20,
        PersistentProcessSimulatorTest.program("exit-at-start").batchSize(4).build(),
        SimulationWorkerConfig.custom().concurrency(2).maxAttempts(2).initialBackoff(Duration.ofMillis(20))
            .circuitBreaker(false).build());
    assertEquals(20, run.records().proposalLetters.size());
    for (Proposal p : run.proposals()) {
      assertLetter(run, p, "failed", "exited with status 3", "2", "cannot load the model");
    }
  }
}

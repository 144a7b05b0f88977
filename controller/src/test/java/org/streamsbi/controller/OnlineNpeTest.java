package org.streamsbi.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streamsbi.buffer.Eviction;
import org.streamsbi.buffer.ReplayBufferConfig;
import org.streamsbi.buffer.SelectorType;
import org.streamsbi.core.prior.BoxUniform;
import org.streamsbi.simulator.SimulationException;
import org.streamsbi.simulator.Simulator;
import org.streamsbi.trainer.TrainerConfig;

class OnlineNpeTest {

  @TempDir Path dir;

  @Test
  void aRunWhoseSimulationsAllFailEndsWithAReasonInsteadOfHanging() {
    Simulator broken =
        Simulator.of(2, 2, (theta, seed) -> {
          if (theta[0] > -0.8f) {
            throw new SimulationException("license server unreachable");
          }
          return new float[] {theta[0], Float.NaN};
        });
    List<RunProgress> reports = new ArrayList<>();
    // Not one usable sample, but the run may not give up early: the budget must arrive first here.
    RunConfig config = RunConfig.custom("all-fail", 200).brokerDirectory(dir).proposalsPerMessage(20)
        .failuresBeforeFirstSample(Integer.MAX_VALUE).build();
    OnlineNpe npe = new OnlineNpe(BoxUniform.of(2, -1, 1), broken);
    assertTrue(npe.bestSoFar().isEmpty(), "no posterior before any training");
    RunFailedException e =
        assertThrows(RunFailedException.class, () -> npe.onProgress(reports::add).run(config));
    assertTrue(e.getMessage().contains("all 200 simulations arrived"), e.getMessage());
    assertTrue(e.getMessage().contains("proposals failed"), e.getMessage());
    assertTrue(e.getMessage().contains("streamsbi.all-fail.dead-letters"), e.getMessage());
    assertEquals(0, e.summary().abandonedProposals(), "every proposal ended before the run stopped");
    RunProgress last = reports.get(reports.size() - 1);
    assertEquals(200, last.samples() + last.failedProposals());
    assertTrue(last.failedProposals() > 100, "most proposals fail: " + last);
    assertTrue(last.deadLetters() >= last.failedProposals(), "each failed proposal is a dead letter: " + last);
    assertEquals(last.failedProposals(), last.deadLettersByKind().get("proposal"), "by kind: " + last.deadLettersByKind());
    assertEquals(ProposalLedger.RECENT_DEAD_LETTERS, last.recentDeadLetters().size());
    // Every sample that did arrive holds NaN, and is set aside as a dead letter too.
    assertEquals(last.samples(), last.deadLettersByKind().get("sample"), "by kind: " + last.deadLettersByKind());
    assertTrue(last.recentDeadLetters().stream().allMatch(d -> d.proposalId() != null
        && (d.kind().equals("proposal") ? d.reason().contains("license server unreachable") : d.reason().contains("NaN"))),
        "reasons: " + last.recentDeadLetters());
    assertEquals("npe", last.method());
    assertEquals(1, last.round());
    assertEquals(200, last.bufferCapacity());
    assertEquals(1, last.workers().size(), "one in-JVM worker: " + last.workers());
    RunProgress.Worker worker = last.workers().get(0);
    assertEquals("all-fail-worker-0", worker.worker());
    assertEquals(last.failedProposals(), worker.failedProposals());
    assertEquals(200 - last.failedProposals(), worker.samples());
    assertTrue(List.of("CLOSED", "OPEN", "HALF_OPEN").contains(worker.circuitBreaker()), worker.circuitBreaker());
    assertTrue(worker.meanSimulationSeconds() >= 0 && worker.meanSimulationSeconds() < 1, "mean simulation time " + worker);
  }

  @Test
  void aFailedRunEndsEveryProposalOfItsBudgetAsADeadLetterIssuedOrNot() {
    Simulator broken = Simulator.of(2, 2, (theta, seed) -> {
      throw new SimulationException("license server unreachable");
    });
    List<RunProgress> reports = new ArrayList<>();
    // Two rounds: the second round's 30 proposals are never issued, as round 1 gives nothing to train on.
    RunConfig config = RunConfig.custom("broken", 60).brokerDirectory(dir).method(Method.SNPE).rounds(2)
        .proposalsPerMessage(5).build();
    RunFailedException e = assertThrows(RunFailedException.class,
        () -> new OnlineNpe(BoxUniform.of(2, -1, 1), broken).onProgress(reports::add).run(config, new float[] {0, 0}));
    // Whether it stops as broken or once round 1 arrived unusable, round 2 never starts.
    RunSummary summary = e.summary();
    assertEquals(0, summary.samples());
    assertTrue(summary.failedProposals() >= config.failuresBeforeFirstSample(), "failed: " + summary);
    assertEquals(Map.of("failed", summary.failedProposals()), summary.failedProposalsByFailure());
    assertTrue(summary.abandonedProposals() >= 30, "the unissued round abandoned too: " + summary);
    assertEquals(60, summary.failedProposals() + summary.abandonedProposals(), "the budget adds up: " + summary);
    RunProgress last = reports.get(reports.size() - 1);
    // A worker's late letter for a proposal already ended may be read too, and is not counted above.
    assertTrue(last.deadLettersByKind().get("proposal") >= 60, "a letter each: " + last.deadLettersByKind());
    List<RunProgress.DeadLetter> abandoned =
        last.recentDeadLetters().stream().filter(d -> d.worker().equals("broken-controller")).toList();
    assertTrue(!abandoned.isEmpty() && abandoned.stream().allMatch(
        d -> d.reason().equals("not simulated: the run stopped: " + e.getMessage())),
        "the abandoned letters name the run's failure: " + last.recentDeadLetters());
  }

  @Test
  void configNamesTheFieldItRefuses() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> RunConfig.custom("x", 100).brokerDirectory(dir).watermark(500).build());
    assertTrue(e.getMessage().startsWith("watermark"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> RunConfig.custom("x", 100).build());
    assertTrue(e.getMessage().startsWith("brokerDirectory"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> RunConfig.custom("bad name", 100).brokerDirectory(dir).build());
    assertTrue(e.getMessage().contains("run name"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> RunConfig.custom("x", 100).brokerDirectory(dir).clientProperties(Map.of("security.protocol", "SSL")).build());
    assertTrue(e.getMessage().startsWith("clientProperties"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> RunConfig.custom("x", 100).brokerDirectory(dir).selector(SelectorType.FIFO).eviction(Eviction.MOST_SEEN).build());
    assertTrue(e.getMessage().startsWith("buffer.eviction"), e.getMessage());
  }

  @Test
  void theBatchSizeFollowsTheBudgetUnlessATrainerIsGiven() {
    assertEquals(32, RunConfig.batchSizeFor(100));
    assertEquals(32, RunConfig.batchSizeFor(512));
    assertEquals(64, RunConfig.batchSizeFor(1_000));
    assertEquals(128, RunConfig.batchSizeFor(2_000));
    assertEquals(224, RunConfig.batchSizeFor(3_584));
    assertEquals(256, RunConfig.batchSizeFor(3_585));
    assertEquals(256, RunConfig.batchSizeFor(1_000_000));
    assertEquals(64, RunConfig.custom("x", 1_000).brokerDirectory(dir).build().trainer().batchSize());
    assertEquals(256, RunConfig.custom("x", 10_000).brokerDirectory(dir).build().trainer().batchSize());
    TrainerConfig given = TrainerConfig.defaults();
    assertEquals(256, RunConfig.custom("x", 1_000).brokerDirectory(dir).trainer(given).build().trainer().batchSize());
  }

  @Test
  void theBufferPolicyDefaultsToTheBudgetAndTakesTheRunsSeed() {
    ReplayBufferConfig buffer = RunConfig.custom("x", 500).brokerDirectory(dir).seed(7).build().buffer();
    assertEquals(500, buffer.capacity());
    assertEquals(50, buffer.watermark());
    assertEquals(7, buffer.seed());
    ReplayBufferConfig small = RunConfig.custom("x", 500).brokerDirectory(dir).bufferCapacity(20)
        .selector(SelectorType.RESERVOIR).build().buffer();
    assertEquals(20, small.capacity());
    assertEquals(20, small.watermark());
    assertEquals(SelectorType.RESERVOIR, small.selector());
  }

  @Test
  void plateauCountsOnlyOnceEverySimulationArrived() {
    boolean[] arrived = {false};
    PlateauAfterArrival rule = new PlateauAfterArrival(() -> arrived[0], 3);
    org.streamsbi.trainer.TrainingProgress flat = new org.streamsbi.trainer.TrainingProgress(100, 25600, 1, 1, 0.9, 5, 1, 5e-4, 100, 25600, 0, 0);
    assertEquals(false, rule.shouldStop(flat));
    arrived[0] = true;
    assertEquals(true, rule.shouldStop(flat));
    assertEquals(false, rule.shouldStop(new org.streamsbi.trainer.TrainingProgress(100, 25600, 1, 1, 0.9, 2, 1, 5e-4, 100, 25600, 0, 0)));
  }
}

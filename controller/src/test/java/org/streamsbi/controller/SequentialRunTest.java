package org.streamsbi.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streamsbi.broker.EmbeddedKafkaBroker;
import org.streamsbi.broker.KafkaClients;
import org.streamsbi.broker.RunTopics;
import org.streamsbi.core.Proposal;
import org.streamsbi.core.arrow.ProposalCodec;
import org.streamsbi.simulator.sbibm.BenchmarkTask;
import org.streamsbi.trainer.Estimator;
import org.streamsbi.trainer.FlowConfig;
import org.streamsbi.trainer.LearningRateSchedule;
import org.streamsbi.trainer.TrainerConfig;

class SequentialRunTest {
  private static final int BUDGET = 900;

  @TempDir Path dir;

  /**
   * Without barriers the proposer publishes from refreshed regions while training runs; it must
   * still publish exactly the budget, never more, and the run must use every simulation.
   */
  @Test
  void asynchronousModeSpendsTheBudgetAndNeverMore() throws Exception {
    BenchmarkTask task = BenchmarkTask.named("two_moons");
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(dir.resolve("kafka"))) {
      RunConfig config =
          RunConfig.custom("async-budget", BUDGET)
              .bootstrapServers(broker.bootstrapServers())
              .method(Method.TSNPE_ASYNC)
              .rounds(3)
              .refreshSteps(20)
              .proposalsPerMessage(50)
              .inFlight(100)
              .patience(5)
              .seed(2)
              .build();
      try (RunResult result = new OnlineNpe(task.prior(), task).run(config, task.observation(1))) {
        List<Proposal> proposals = published(broker.bootstrapServers(), new RunTopics("async-budget"));
        Set<String> ids = proposals.stream().map(Proposal::proposalId).collect(Collectors.toSet());
        assertEquals(BUDGET, proposals.size(), "proposals published");
        assertEquals(BUDGET, ids.size(), "distinct proposal ids");
        assertTrue(result.summary().samples() <= BUDGET, "samples " + result.summary().samples());
        assertEquals(BUDGET, result.summary().samples() + result.summary().failedProposals());
        Set<Integer> rounds = new HashSet<>();
        proposals.forEach(p -> rounds.add(p.round()));
        assertEquals(Set.of(1, 2, 3), rounds, "rounds proposed");
        assertFalse(result.refreshes().isEmpty(), "the region was refreshed");
        // Later rounds propose inside the region, which two_moons' crescent makes far smaller than
        // the prior; a region drawn from a few hundred steps is noisy, so the smallest is checked.
        assertTrue(result.refreshes().stream().mapToDouble(RunResult.Refresh::priorMass).min().orElseThrow() < 0.6,
            result.refreshes().toString());
      }
    }
  }

  /** A region whose prior mass barely moves between refreshes ends the proposing early. */
  @Test
  void aStableTruncationRegionStopsTheRunBeforeTheBudget() throws Exception {
    BenchmarkTask task = BenchmarkTask.named("two_moons");
    RunConfig config =
        RunConfig.custom("stable-region", 800)
            .brokerDirectory(dir.resolve("kafka"))
            .method(Method.TSNPE)
            .rounds(4)
            .patience(5)
            .proposalsPerMessage(50)
            // Any change below 99 % counts as stable: the second region stops the run.
            .regionTolerance(0.99)
            .seed(4)
            .build();
    try (RunResult result = new OnlineNpe(task.prior(), task).run(config, task.observation(1))) {
      assertEquals(2, result.refreshes().size(), result.refreshes().toString());
      assertEquals(400, result.summary().samples() + result.summary().failedProposals());
      float[][] draws = result.posterior().sample(100, task.observation(1), 1).theta();
      assertEquals(100, draws.length);
    }
  }

  /** Each round with barriers restarts its schedule, so it decays over its share of the run's steps. */
  @Test
  void eachRoundWithBarriersDecaysOverItsShareOfTheSchedule() {
    LearningRateSchedule cosine = LearningRateSchedule.parse("cosine:100:6000:0.01");
    RunConfig tsnpe = RunConfig.custom("x", 1005).brokerDirectory(dir).method(Method.TSNPE)
        .trainer(RunConfig.custom("x", 1005).brokerDirectory(dir).build().trainer().withLearningRateSchedule(cosine))
        .build();
    assertEquals(new LearningRateSchedule.WarmUpCosine(100, 602, 0.01), tsnpe.roundTrainer(1).learningRateSchedule());
    assertEquals(new LearningRateSchedule.WarmUpCosine(100, 597, 0.01), tsnpe.roundTrainer(10).learningRateSchedule());
    assertEquals(tsnpe.trainer().batchSize(), tsnpe.roundTrainer(2).batchSize());
    RunConfig npe = RunConfig.custom("x", 1005).brokerDirectory(dir).trainer(tsnpe.trainer()).build();
    assertEquals(cosine, npe.roundTrainer(1).learningRateSchedule(), "one round keeps the whole schedule");
  }

  @Test
  void eachRoundKeepsItsCheckpointApart() {
    TrainerConfig checkpointed = TrainerConfig.defaults().withCheckpoints(dir.resolve("checkpoints"), 50, true);
    RunConfig tsnpe = RunConfig.custom("x", 1000).brokerDirectory(dir).method(Method.TSNPE).trainer(checkpointed).build();
    assertEquals(dir.resolve("checkpoints").resolve("round-1"), tsnpe.roundTrainer(1).checkpointDirectory());
    assertEquals(dir.resolve("checkpoints").resolve("round-3"), tsnpe.roundTrainer(3).checkpointDirectory());
    assertEquals(50, tsnpe.roundTrainer(3).checkpointInterval());
    assertTrue(tsnpe.roundTrainer(3).resume());
    RunConfig npe = RunConfig.custom("x", 1000).brokerDirectory(dir).trainer(checkpointed).build();
    assertEquals(dir.resolve("checkpoints"), npe.roundTrainer(1).checkpointDirectory());
  }

  /**
   * snpe: round 1 from the prior, later rounds from the last posterior at x_o, whose simulations
   * land far nearer x_o than the prior's (two_moons' posterior is two crescents in opposite
   * corners, so θ's own spread would not show it); exactly the budget is published and used.
   * sbi's patience of 20 epochs: with less, round 1 stops on its first plateau (a few hundred
   * samples make the loss noisy) and its posterior is still close to the prior.
   */
  @Test
  void snpeProposesLaterRoundsFromThePosterior() throws Exception {
    BenchmarkTask task = BenchmarkTask.named("two_moons");
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(dir.resolve("kafka"))) {
      RunConfig config =
          RunConfig.custom("snpe-rounds", BUDGET)
              .bootstrapServers(broker.bootstrapServers())
              .method(Method.SNPE)
              .rounds(3)
              .patience(20)
              .proposalsPerMessage(50)
              .seed(3)
              .build();
      float[] observation = task.observation(1);
      try (RunResult result = new OnlineNpe(task.prior(), task).run(config, observation)) {
        List<Proposal> proposals = published(broker.bootstrapServers(), new RunTopics("snpe-rounds"));
        assertEquals(BUDGET, proposals.size(), "proposals published");
        assertEquals(BUDGET, proposals.stream().map(Proposal::proposalId).distinct().count(), "distinct ids");
        assertEquals(BUDGET, result.summary().samples() + result.summary().failedProposals());
        assertTrue(result.refreshes().isEmpty(), "snpe has no truncation region");
        double[] distance = new double[4];
        for (int round = 1; round <= 3; round++) {
          int r = round;
          List<Proposal> ofRound = proposals.stream().filter(p -> p.round() == r).toList();
          assertEquals(BUDGET / 3, ofRound.size(), "proposals of round " + round);
          for (Proposal p : ofRound) {
            assertTrue(task.prior().inSupport(p.theta()), "round " + round + " proposed outside the prior");
          }
          distance[round] = medianDistance(task, ofRound, observation);
        }
        for (int round = 2; round <= 3; round++) {
          assertTrue(distance[round] < 0.35 * distance[1],
              "round " + round + ": median |x − x_o| " + distance[round] + ", the prior round's " + distance[1]);
        }
        float[][] draws = result.posterior().sample(100, observation, 1).theta();
        assertEquals(100, draws.length);
      }
    }
  }

  /** The median distance to x_o of the simulations of the proposals, as the workers ran them. */
  private static double medianDistance(BenchmarkTask task, List<Proposal> proposals, float[] observation) {
    double[] distances = new double[proposals.size()];
    for (int i = 0; i < distances.length; i++) {
      float[] x = task.simulate(proposals.get(i).theta(), proposals.get(i).seed());
      double squared = 0;
      for (int k = 0; k < x.length; k++) {
        squared += (x[k] - observation[k]) * (double) (x[k] - observation[k]);
      }
      distances[i] = Math.sqrt(squared);
    }
    Arrays.sort(distances);
    return distances[distances.length / 2];
  }

  private static List<Proposal> published(String bootstrap, RunTopics topics) {
    ProposalCodec codec = new ProposalCodec(2);
    try (KafkaConsumer<String, byte[]> reader = new KafkaClients(bootstrap).reader("count")) {
      List<TopicPartition> partitions =
          reader.partitionsFor(topics.proposals()).stream()
              .map((PartitionInfo p) -> new TopicPartition(p.topic(), p.partition()))
              .toList();
      reader.assign(partitions);
      reader.seekToBeginning(partitions);
      var end = reader.endOffsets(partitions);
      List<Proposal> out = new java.util.ArrayList<>();
      while (partitions.stream().anyMatch(tp -> reader.position(tp) < end.get(tp))) {
        for (ConsumerRecord<String, byte[]> r : reader.poll(Duration.ofMillis(200))) {
          out.addAll(codec.decode(r.value()));
        }
      }
      return out;
    }
  }

  @Test
  void methodIsValidated() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Method.parse("apt"));
    assertTrue(e.getMessage().startsWith("method must be npe, snpe, tsnpe or tsnpe-async"), e.getMessage());
    assertEquals(Method.TSNPE_ASYNC, Method.parse("tsnpe-async"));
    RunConfig snpe = RunConfig.custom("x", 1000).brokerDirectory(dir).method(Method.SNPE).build();
    assertEquals(Method.SNPE, snpe.method());
    assertEquals(10, snpe.rounds());
    e = assertThrows(IllegalArgumentException.class,
        () -> RunConfig.custom("x", 1000).brokerDirectory(dir).method(Method.SNPE).regionTolerance(0.1).build());
    assertTrue(e.getMessage().startsWith("regionTolerance applies to tsnpe and tsnpe-async"), e.getMessage());
    assertEquals(10, snpe.atoms(), "sbi's num_atoms");
    assertEquals(4, RunConfig.custom("x", 1000).brokerDirectory(dir).method(Method.SNPE).atoms(4).build().atoms());
    e = assertThrows(IllegalArgumentException.class,
        () -> RunConfig.custom("x", 1000).brokerDirectory(dir).method(Method.SNPE).atoms(1).build());
    assertTrue(e.getMessage().startsWith("atoms must be at least 2"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> RunConfig.custom("x", 1000).brokerDirectory(dir).method(Method.TSNPE).atoms(5).build());
    assertTrue(e.getMessage().startsWith("atoms applies to snpe"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> RunConfig.custom("x", 1000).brokerDirectory(dir).rounds(3).build());
    assertTrue(e.getMessage().startsWith("rounds must be 1 for method npe"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> RunConfig.custom("x", 10).brokerDirectory(dir).method(Method.TSNPE).rounds(6).build());
    assertTrue(e.getMessage().startsWith("rounds must be between"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> RunConfig.custom("x", 1000).brokerDirectory(dir).method(Method.TSNPE_ASYNC).refreshSteps(0).build());
    assertTrue(e.getMessage().startsWith("refreshSteps"), e.getMessage());
    RunConfig tsnpe = RunConfig.custom("x", 1005).brokerDirectory(dir).method(Method.TSNPE).build();
    assertEquals(Estimator.NSF, tsnpe.flow().estimator(), "tsnpe's default estimator");
    assertEquals(Estimator.MAF, snpe.flow().estimator(), "snpe's default estimator");
    assertEquals(Estimator.MAF, RunConfig.custom("x", 1005).brokerDirectory(dir).build().flow().estimator(), "npe's");
    assertEquals(Estimator.MAF, RunConfig.custom("x", 1005).brokerDirectory(dir).method(Method.TSNPE_ASYNC)
        .flow(FlowConfig.defaults(Estimator.MAF)).build().flow().estimator(), "a chosen estimator stays");
    assertEquals(10, tsnpe.rounds());
    assertEquals(101, tsnpe.roundSimulations(1));
    assertEquals(100, tsnpe.roundSimulations(10));
    assertTrue(tsnpe.watermark() <= tsnpe.roundSimulations(1) * 0.9, "watermark " + tsnpe.watermark());
    assertEquals(tsnpe.trainer(), tsnpe.roundTrainer(3), "a constant learning rate is the same in every round");
    BenchmarkTask task = BenchmarkTask.named("two_moons");
    e = assertThrows(IllegalArgumentException.class, () -> new OnlineNpe(task.prior(), task).run(tsnpe));
    assertTrue(e.getMessage().contains("targets one observation"), e.getMessage());
  }
}

package org.streamsbi.controller;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.streamsbi.buffer.ReplayBuffer;
import org.streamsbi.buffer.ReplayBufferConfig;
import org.streamsbi.core.Sample;
import org.streamsbi.simulator.sbibm.BenchmarkTask;
import org.streamsbi.trainer.FlowConfig;
import org.streamsbi.trainer.NpeTrainer;
import org.streamsbi.trainer.Posterior;
import org.streamsbi.trainer.StoppingRule;
import org.streamsbi.trainer.TrainerConfig;
import org.streamsbi.trainer.TrainingResult;

class TruncationRegionTest {
  private static final int SIMULATIONS = 3000;

  /**
   * gaussian_linear's posterior is N(x_o/2, 0.05·I): the region of a briefly trained q must hold
   * the θ* that generated x_o and nearly all exact posterior draws, while cutting the prior down.
   * (The 1 − 10⁻⁴ region of N(x_o/2, 0.05·I) still holds about half of the prior N(0, 0.1·I).)
   */
  @Test
  void regionOfGaussianLinearHoldsTheTrueParametersAndTheExactPosterior() throws Exception {
    BenchmarkTask task = BenchmarkTask.named("gaussian_linear");
    SplittableRandom rng = new SplittableRandom(11);
    try (ReplayBuffer buffer =
        new ReplayBuffer(new ReplayBufferConfig(SIMULATIONS, SIMULATIONS / 2, 0.1), 10, 10)) {
      for (int i = 0; i < SIMULATIONS; i++) {
        float[] theta = task.prior().sample(rng);
        String id = "s" + i;
        buffer.insert(new Sample(id, "test", 1, id, i, theta, task.simulate(theta, i), "test", 0));
      }
      TrainingResult trained =
          new NpeTrainer(FlowConfig.defaults(), new TrainerConfig(256, 1e-3, 0, 5.0, 1))
              .train(buffer, task.prior(), StoppingRule.maxSteps(1500).or(StoppingRule.patience(20)));
      try (Posterior q = trained.posterior()) {
        float[] xo = task.observation(1);
        TruncationRegion region = TruncationRegion.of(q, xo, TruncationRegion.QUANTILE, 10_000, 5);

        assertTrue(region.contains(new float[][] {task.trueParameters(1)})[0], "θ* lies outside the region");
        float[][] exact = new float[2000][10];
        for (float[] theta : exact) {
          for (int d = 0; d < 10; d++) {
            theta[d] = (float) (xo[d] / 2 + Math.sqrt(0.05) * rng.nextGaussian());
          }
        }
        int inside = 0;
        for (boolean b : region.contains(exact)) {
          inside += b ? 1 : 0;
        }
        assertTrue(inside >= 0.99 * exact.length, inside + " of " + exact.length + " exact posterior draws inside");
        // The importance-weighted estimate of the prior mass agrees with counting prior draws.
        float[][] priorDraws = new float[5000][];
        for (int i = 0; i < priorDraws.length; i++) {
          priorDraws[i] = task.prior().sample(rng);
        }
        int priorInside = 0;
        for (boolean b : region.contains(priorDraws)) {
          priorInside += b ? 1 : 0;
        }
        double counted = priorInside / (double) priorDraws.length;
        assertTrue(counted < 0.9, "the region cuts the prior: " + counted + " of prior draws inside");
        assertTrue(Math.abs(region.priorMass() - counted) < 0.1,
            "estimated prior mass " + region.priorMass() + ", counted " + counted);

        float[][] proposals = region.sample(300, new SplittableRandom(3));
        int proposalsInside = 0;
        for (boolean b : region.contains(proposals)) {
          proposalsInside += b ? 1 : 0;
        }
        assertTrue(proposalsInside == proposals.length, proposalsInside + " of 300 proposals inside");
      }
    }
  }

  @Test
  void quantileAndDrawsAreChecked() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> TruncationRegion.of(null, new float[1], 0, 100, 1));
    assertTrue(e.getMessage().startsWith("truncation quantile"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> TruncationRegion.of(null, new float[1], 1e-4, 1, 1));
    assertTrue(e.getMessage().startsWith("truncation draws"), e.getMessage());
  }
}

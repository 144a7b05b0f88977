package org.streamsbi.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.streamsbi.buffer.ReplayBuffer;
import org.streamsbi.buffer.ReplayBufferConfig;
import org.streamsbi.core.Sample;
import org.streamsbi.core.prior.MultivariateNormal;
import org.streamsbi.core.prior.Prior;

/**
 * Trained with the atomic loss on θ from a proposal that is not the prior, the estimator learns
 * the posterior under the prior; the NPE loss would learn the one under the proposal.
 */
class AtomicPosteriorTest {

  /**
   * Prior N(0, 2²), x | θ ~ N(θ, 0.5²), θ proposed from N(1, 0.5²). At x = 0.5 the posterior is
   * N(0.471, 0.485²); under the proposal it would be N(0.75, 0.354²).
   */
  @Test
  void learnsThePosteriorUnderThePriorFromProposedData() throws Exception {
    Prior prior = MultivariateNormal.isotropic(new double[1], 4);
    int n = 5_000;
    ReplayBuffer buffer = new ReplayBuffer(new ReplayBufferConfig(n, n / 2, 0.1), 1, 1);
    SplittableRandom rng = new SplittableRandom(3);
    for (int i = 0; i < n; i++) {
      float theta = (float) (1 + 0.5 * rng.nextGaussian());
      float x = (float) (theta + 0.5 * rng.nextGaussian());
      String id = "a" + i;
      buffer.insert(new Sample(id, "run", 2, id, 0, new float[] {theta}, new float[] {x}, "w", 0));
    }
    try (Posterior posterior =
        new NpeTrainer(FlowConfig.defaults(), new TrainerConfig(128, 1e-3, 100, 5.0, 3))
            .withAtomicLoss(10)
            .train(buffer, prior, StoppingRule.patience(4).or(StoppingRule.maxSteps(2_500)))
            .posterior()) {
      float[][] draws = posterior.sample(10_000, new float[] {0.5f}, 4).theta();
      double mean = 0;
      double square = 0;
      for (float[] t : draws) {
        mean += t[0] / draws.length;
        square += (double) t[0] * t[0] / draws.length;
      }
      double sd = Math.sqrt(square - mean * mean);
      assertEquals(4 * 0.5 / 4.25, mean, 0.1, "posterior mean");
      assertEquals(Math.sqrt(1 / 4.25), sd, 0.06, "posterior sd");
    }
  }
}

package org.streamsbi.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.streamsbi.core.prior.MultivariateNormal;

/** The spline flow trained by NpeTrainer against conditionals with a closed form. */
class NeuralSplinePosteriorTest {
  private static final FlowConfig NSF = FlowConfig.defaults(Estimator.NSF);

  @Test
  void fitsALinearGaussianConditional() throws InterruptedException {
    LinearGaussian truth =
        LinearGaussian.correlated2d();
    try (Posterior posterior =
        new NpeTrainer(NSF, new TrainerConfig(256, 1e-3, 250, 5.0, 7))
            .train(
                truth.buffer(10_000, 1),
                MultivariateNormal.isotropic(new double[2], 100),
                StoppingRule.maxSteps(2_000))
            .posterior()) {
      double error = truth.meanLogProbError(posterior, new SplittableRandom(99));
      // 2,000 steps leave ≈ 0.16 nats here (the MAF test trains up to 5,000 for 0.1); an
      // untrained or broken flow is off by more than a nat.
      assertTrue(error < 0.25, "mean |log q − log p| = " + error + " nats");
      // MAP climbs log q by its gradient in θ, which reaches θ through the splines' inputs: it
      // ends where no neighbour is more probable under the flow.
      float[] x = {0.5f, -1f};
      float[] map = posterior.map(x, 11);
      RandomFlows.assertIsTheFlowsMode(posterior, map, x);
      double[] mode = truth.mean(x);
      for (int i = 0; i < 2; i++) {
        assertEquals(mode[i], map[i], 0.5 * Math.sqrt(truth.covariance[i][i]), "MAP " + i);
      }
    }
  }

  @Test
  void fitsABimodalConditional() throws InterruptedException {
    try (Posterior posterior = BimodalConditional.trained(NSF)) {
      double error = 0;
      int points = 0;
      for (float x : new float[] {1.2f, 1.5f, 1.8f}) {
        float[][] theta = new float[200][];
        for (int j = 0; j < theta.length; j++) {
          theta[j] = new float[] {(float) (-3 + 6.0 * j / theta.length)};
        }
        double[] logQ = posterior.logProb(theta, new float[] {x});
        for (int j = 0; j < theta.length; j++) {
          double t = theta[j][0];
          double p = BimodalConditional.density(t, x);
          // Only where the truth has mass: far out both are tiny and log q is not pinned down.
          if (p > 0.05) {
            error += Math.abs(logQ[j] - Math.log(p));
            points++;
          }
        }
      }
      assertTrue(error / points < 0.25, "mean |log q − log p| = " + error / points + " nats");
    }
  }
}

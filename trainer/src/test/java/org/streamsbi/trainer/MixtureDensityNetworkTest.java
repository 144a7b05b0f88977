package org.streamsbi.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;

/** The mixture's algebra on random parameters, and a fit of a bimodal conditional. */
class MixtureDensityNetworkTest {

  private static MixtureDensityNetwork randomMixture(
      NDManager manager, int thetaDimension, int contextDimension, long seed) {
    return RandomFlows.randomize(
        new MixtureDensityNetwork(
            new FlowConfig(Estimator.MDN, 1, 16), thetaDimension, contextDimension),
        manager,
        seed);
  }

  @Test
  void oneDimensionalDensityIntegratesToOne() {
    try (NDManager manager = NDManager.newBaseManager()) {
      MixtureDensityNetwork mdn = randomMixture(manager, 1, 2, 21);
      assertEquals(1.0, RandomFlows.mass(mdn, manager, 20, 40_000, -0.4f), 1e-3);
    }
  }

  @Test
  void twoDimensionalDensityIntegratesToOne() {
    try (NDManager manager = NDManager.newBaseManager()) {
      MixtureDensityNetwork mdn = randomMixture(manager, 2, 1, 11);
      assertEquals(1.0, RandomFlows.mass(mdn, manager, 10, 400, 0.7f), 0.01);
    }
  }

  /**
   * Draws have the mean and covariance that log q gives on a grid: the back-substitution through
   * the precision factor and the choice of component match the density.
   */
  @Test
  void drawsHaveTheDensitysMoments() {
    try (NDManager manager = NDManager.newBaseManager()) {
      MixtureDensityNetwork mdn = randomMixture(manager, 2, 1, 5);
      double[] fromDensity = RandomFlows.assertDrawsHaveTheDensitysMoments(mdn, manager);
      assertTrue(fromDensity[3] > 0.05 && fromDensity[5] > 0.05, "degenerate mixture");
    }
  }

  /** The mixture puts half its mass on each mode, at ±x with the noise's spread. */
  @Test
  void fitsABimodalConditional() throws InterruptedException {
    double sigma = BimodalConditional.SIGMA;
    try (Posterior posterior = BimodalConditional.trained(FlowConfig.defaults(Estimator.MDN))) {
      for (float x : new float[] {1.2f, 1.8f}) {
        float[][] draws = posterior.sample(8_000, new float[] {x}, 7).theta();
        double[] sum = new double[2];
        double[] squares = new double[2];
        int[] count = new int[2];
        for (float[] theta : draws) {
          int mode = theta[0] > 0 ? 1 : 0;
          sum[mode] += theta[0];
          squares[mode] += theta[0] * theta[0];
          count[mode]++;
        }
        assertEquals(0.5, (double) count[1] / draws.length, 0.04, "mass of the mode at +x=" + x);
        for (int mode = 0; mode < 2; mode++) {
          double mean = sum[mode] / count[mode];
          double sd = Math.sqrt(squares[mode] / count[mode] - mean * mean);
          assertEquals(mode == 1 ? x : -x, mean, 0.08, "mode " + mode + " at x=" + x);
          assertEquals(sigma, sd, 0.06, "spread of mode " + mode + " at x=" + x);
        }
      }
    }
  }
}

package org.streamsbi.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.streamsbi.buffer.ReplayBuffer;
import org.streamsbi.buffer.ReplayBufferConfig;
import org.streamsbi.core.Sample;
import org.streamsbi.core.prior.BoxUniform;
import org.streamsbi.core.prior.MultivariateNormal;

/** The logit transform of a box prior, alone and inside a density with random parameters. */
class LogitTransformTest {
  private static final BoxUniform BOX = new BoxUniform(new double[] {-1, 2}, new double[] {3, 2.5});

  @Test
  void logDerivativeMatchesAFiniteDifference() {
    LogitTransform logit = LogitTransform.of(BOX);
    SplittableRandom rng = new SplittableRandom(1);
    for (int k = 0; k < 200; k++) {
      float[] theta = BOX.sample(rng);
      for (int i = 0; i < 2; i++) {
        double h = 1e-7 * (BOX.high(i) - BOX.low(i));
        double slope = (logit.forward(i, theta[i] + h) - logit.forward(i, theta[i] - h)) / (2 * h);
        assertEquals(Math.log(slope), logit.logDerivative(i, theta[i]), 1e-5, "θ_" + i + "=" + theta[i]);
        assertEquals(theta[i], logit.inverse(i, logit.forward(i, theta[i])), 1e-6 * (1 + Math.abs(theta[i])));
      }
    }
    assertEquals(2f, logit.inverse(1, -100), 0f, "far left maps to low");
    assertTrue(logit.inverse(1, 100) < 2.5f, "far right stays below high");
  }

  @Test
  void needsABoxPrior() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> LogitTransform.of(MultivariateNormal.isotropic(new double[2], 1)));
    assertTrue(e.getMessage().contains("flow.logitTransform"), e.getMessage());
  }

  /**
   * A random NSF behind the logit transform and z-scoring: its density in the original space
   * integrates to 1 over the box, and all its draws are inside.
   */
  @Test
  void theTransformedDensityIntegratesToOneOverTheBoxAndDrawsStayInside() {
    ReplayBuffer buffer = new ReplayBuffer(new ReplayBufferConfig(1_000, 500, 0.1), 2, 1);
    SplittableRandom rng = new SplittableRandom(2);
    for (int i = 0; i < 1_000; i++) {
      float[] theta = BOX.sample(rng);
      String id = "l" + i;
      buffer.insert(
          new Sample(id, "run", 1, id, 0, theta, new float[] {theta[0] + theta[1]}, "w", 0));
    }
    FlowConfig config = new FlowConfig(Estimator.NSF, 3, 16).withLogitTransform(true);
    try (ConditionalDensity density =
        ConditionalDensity.untrained(config, buffer.trainingSet(), BOX)) {
      RandomFlows.randomize(density.estimator(), density.model().getNDManager(), 3);
      int side = 400;
      float[] grid = new float[side * side * 2];
      double[] step = new double[2];
      for (int i = 0; i < 2; i++) {
        step[i] = (BOX.high(i) - BOX.low(i)) / side;
      }
      for (int p = 0; p < side * side; p++) {
        grid[2 * p] = (float) (BOX.low(0) + (p / side + 0.5) * step[0]);
        grid[2 * p + 1] = (float) (BOX.low(1) + (p % side + 0.5) * step[1]);
      }
      float[] x = new float[side * side];
      Arrays.fill(x, 2.7f);
      double mass = 0;
      for (double logQ : density.logProb(grid, x, side * side)) {
        mass += Math.exp(logQ) * step[0] * step[1];
      }
      assertEquals(1.0, mass, 0.01);

      float[] draws = density.sample(ConditionalDensity.CHUNK, new float[] {2.7f}, rng);
      double spread = 0;
      for (int r = 0; r < ConditionalDensity.CHUNK; r++) {
        float[] theta = {draws[2 * r], draws[2 * r + 1]};
        assertTrue(BOX.inSupport(theta), "draw " + r + " outside the box: " + theta[0] + ", " + theta[1]);
        spread += Math.abs(theta[0] - 1) / ConditionalDensity.CHUNK;
      }
      assertTrue(spread > 0.1, "draws collapsed: mean |θ_0 − 1| = " + spread);
    }
  }
}

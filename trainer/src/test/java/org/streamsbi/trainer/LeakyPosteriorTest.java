package org.streamsbi.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;
import org.streamsbi.buffer.ReplayBuffer;
import org.streamsbi.core.prior.BoxUniform;

/**
 * A flow that puts almost none of its mass inside the prior's box: sampling falls back to
 * sampling-importance-resampling and still draws from q restricted to the box.
 */
class LeakyPosteriorTest {
  private static final float[] X = {0.5f, -1f};
  private static final int SIDE = 200;

  @Test
  void sampleFallsBackToImportanceResamplingInsideTheSupport() {
    ReplayBuffer buffer = LinearGaussian.correlated2d().buffer(500, 2);
    ConditionalDensity density =
        ConditionalDensity.untrained(FlowConfig.defaults(), Standardization.fit(buffer.trainingSet()));
    density
        .estimator()
        .initialize(density.model().getNDManager(), DataType.FLOAT32, new Shape(1, 2), new Shape(1, 2));
    // Where the flow's own draws put it, then a box in its tail: 3 to 4 standard deviations out.
    double[] mean = new double[2];
    double[] std = new double[2];
    float[] draws = density.sample(10_000, X, new java.util.SplittableRandom(1));
    for (int j = 0; j < 2; j++) {
      double sum = 0;
      double squares = 0;
      for (int r = 0; r < 10_000; r++) {
        sum += draws[2 * r + j];
        squares += draws[2 * r + j] * (double) draws[2 * r + j];
      }
      mean[j] = sum / 10_000;
      std[j] = Math.sqrt(squares / 10_000 - mean[j] * mean[j]);
    }
    double[] low = {mean[0] + 3 * std[0], mean[1] + 3 * std[1]};
    double[] high = {mean[0] + 4 * std[0], mean[1] + 4 * std[1]};
    BoxUniform box = new BoxUniform(low, high);
    try (Posterior posterior = new Posterior(density, box)) {
      double[] reference = truncatedMoments(posterior, low, high);
      assertTrue(reference[4] < 1e-3, "the box holds " + reference[4] + " of q's mass");

      PosteriorSamples samples = posterior.sample(2_000, X, 3);
      assertEquals(PosteriorSamples.Method.SAMPLING_IMPORTANCE_RESAMPLING, samples.method());
      assertTrue(samples.acceptanceRate() < 1e-3, "acceptance " + samples.acceptanceRate());
      assertEquals(2_000, samples.theta().length);
      assertTrue(samples.effectiveSampleSize() > 1_000, "ESS " + samples.effectiveSampleSize());
      double[] sampleMean = new double[2];
      double[] sampleSquares = new double[2];
      for (float[] theta : samples.theta()) {
        assertTrue(box.inSupport(theta));
        for (int j = 0; j < 2; j++) {
          sampleMean[j] += theta[j] / 2_000.0;
          sampleSquares[j] += theta[j] * (double) theta[j] / 2_000.0;
        }
      }
      for (int j = 0; j < 2; j++) {
        double width = high[j] - low[j];
        double sampleStd = Math.sqrt(sampleSquares[j] - sampleMean[j] * sampleMean[j]);
        assertEquals(reference[j], sampleMean[j], 0.03 * width, "mean of θ" + j);
        assertEquals(reference[2 + j], sampleStd, 0.1 * reference[2 + j], "std of θ" + j);
      }
    }
  }

  /** Mean and std of q restricted to the box per axis, and q's mass in the box, on a grid. */
  private static double[] truncatedMoments(Posterior posterior, double[] low, double[] high) {
    float[][] grid = new float[SIDE * SIDE][];
    double cell = (high[0] - low[0]) / SIDE * (high[1] - low[1]) / SIDE;
    for (int a = 0; a < SIDE; a++) {
      for (int b = 0; b < SIDE; b++) {
        grid[a * SIDE + b] =
            new float[] {
              (float) (low[0] + (a + 0.5) * (high[0] - low[0]) / SIDE),
              (float) (low[1] + (b + 0.5) * (high[1] - low[1]) / SIDE)
            };
      }
    }
    double[] logQ = posterior.logProb(grid, X);
    double mass = 0;
    double[] first = new double[2];
    double[] second = new double[2];
    for (int i = 0; i < grid.length; i++) {
      double q = Math.exp(logQ[i]) * cell;
      mass += q;
      for (int j = 0; j < 2; j++) {
        first[j] += q * grid[i][j];
        second[j] += q * grid[i][j] * grid[i][j];
      }
    }
    double[] out = new double[5];
    for (int j = 0; j < 2; j++) {
      out[j] = first[j] / mass;
      out[2 + j] = Math.sqrt(second[j] / mass - out[j] * out[j]);
    }
    out[4] = mass;
    return out;
  }
}

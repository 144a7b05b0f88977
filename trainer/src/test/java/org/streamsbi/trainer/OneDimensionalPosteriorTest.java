package org.streamsbi.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.streamsbi.core.prior.BoxUniform;
import org.streamsbi.core.prior.MultivariateNormal;
import org.streamsbi.core.prior.Prior;

/**
 * One parameter (D = 1, where MADE's hidden units see only x) with θ | x ~ N(0.8x + 0.3, 0.5²),
 * and rejection to a prior's support.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OneDimensionalPosteriorTest {
  private static final double SD = 0.5;
  private final LinearGaussian truth =
      new LinearGaussian(new double[][] {{0.8}}, new double[] {0.3}, new double[][] {{SD * SD}});
  private Posterior posterior;
  private byte[] saved;

  @BeforeAll
  void train() throws Exception {
    posterior =
        new NpeTrainer(FlowConfig.defaults(), new TrainerConfig(256, 1e-3, 250, 5.0, 3))
            .train(
                truth.buffer(10_000, 2),
                MultivariateNormal.isotropic(new double[1], 100),
                StoppingRule.patience(4).or(StoppingRule.maxSteps(3_000)))
            .posterior();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    posterior.save(bytes);
    saved = bytes.toByteArray();
  }

  @AfterAll
  void close() {
    posterior.close();
  }

  /** The trained flow with another prior. */
  private Posterior withPrior(Prior prior) throws IOException {
    return Posterior.load(new ByteArrayInputStream(saved), prior);
  }

  @Test
  void fitsTheConditionalDensity() {
    SplittableRandom rng = new SplittableRandom(8);
    double error = 0;
    for (int i = 0; i < 500; i++) {
      float[] x = truth.x(rng);
      float[] theta = truth.theta(x, rng);
      error += Math.abs(posterior.logProb(new float[][] {theta}, x)[0] - truth.logDensity(theta, x));
    }
    assertTrue(error / 500 < 0.1, "mean |log q − log p| = " + error / 500);
    float[][] draws = posterior.sample(10_000, new float[] {1f}, 4).theta();
    double mean = 0;
    double square = 0;
    for (float[] t : draws) {
      mean += t[0] / draws.length;
      square += (double) t[0] * t[0] / draws.length;
    }
    assertEquals(1.1, mean, 0.1 * SD);
    assertEquals(SD, Math.sqrt(square - mean * mean), 0.1 * SD);
  }

  /** With x = 0 the conditional is N(0.3, 0.5²): [0.3, 5) holds half of it, [0.3, 0.8) 34 %. */
  @Test
  void rejectsDrawsOutsideThePriorSupport() throws IOException {
    double[][] boxes = {{0.3, 5.0, 0.5}, {0.3, 0.8, 0.3413}};
    for (double[] box : boxes) {
      try (Posterior cut = withPrior(new BoxUniform(new double[] {box[0]}, new double[] {box[1]}))) {
        PosteriorSamples samples = cut.sample(5_000, new float[] {0f}, 6);
        assertEquals(5_000, samples.theta().length);
        for (float[] t : samples.theta()) {
          assertTrue(t[0] >= box[0] && t[0] < box[1], "draw " + t[0] + " outside the box");
        }
        assertEquals(box[2], samples.acceptanceRate(), 0.05, "acceptance in " + box[0] + ".." + box[1]);
      }
    }
  }

  @Test
  void resamplesWhenAlmostNothingIsInsideTheSupport() throws IOException {
    // 6.4 std above the conditional mean: about 1e-10 of the mass.
    try (Posterior cut = withPrior(new BoxUniform(new double[] {3.5}, new double[] {4.0}))) {
      PosteriorSamples samples = cut.sample(1_000, new float[] {0f}, 1);
      assertEquals(PosteriorSamples.Method.SAMPLING_IMPORTANCE_RESAMPLING, samples.method());
      assertTrue(samples.acceptanceRate() < 1e-3, "acceptance " + samples.acceptanceRate());
      double mean = 0;
      for (float[] t : samples.theta()) {
        assertTrue(t[0] >= 3.5 && t[0] < 4.0, "draw " + t[0] + " outside the box");
        mean += t[0] / samples.theta().length;
      }
      // The flow's own density restricted to the box, on a grid.
      float[][] grid = new float[500][];
      for (int i = 0; i < grid.length; i++) {
        grid[i] = new float[] {(float) (3.5 + (i + 0.5) * 0.5 / grid.length)};
      }
      double[] logQ = cut.logProb(grid, new float[] {0f});
      double mass = 0;
      double first = 0;
      for (int i = 0; i < grid.length; i++) {
        mass += Math.exp(logQ[i]);
        first += Math.exp(logQ[i]) * grid[i][0];
      }
      assertEquals(first / mass, mean, 0.02, "mean of the truncated flow");
    }
  }
}

package org.streamsbi.core.prior;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PriorTest {
  private static final int N = 40_000;

  @Test
  void boxUniformSamplesInsideWithConstantDensity() {
    BoxUniform prior = new BoxUniform(new double[] {-1, 0}, new double[] {1, 4});
    SplittableRandom rng = new SplittableRandom(1);
    double mean1 = 0;
    for (int i = 0; i < N; i++) {
      float[] t = prior.sample(rng);
      assertTrue(prior.inSupport(t));
      assertEquals(-Math.log(8), prior.logProb(t), 1e-12);
      mean1 += t[1] / N;
    }
    assertEquals(2.0, mean1, 0.05);
    assertEquals(Double.NEGATIVE_INFINITY, prior.logProb(new float[] {0, 4}));
    assertFalse(prior.inSupport(new float[] {-1.01f, 1}));
  }

  @Test
  void boxUniformRefusesEmptyInterval() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new BoxUniform(new double[] {0, 1}, new double[] {1, 1}));
    assertTrue(e.getMessage().contains("low[1]"), e.getMessage());
  }

  @Test
  void correlatedGaussianMatchesClosedForm() {
    double[] mean = {1, -2};
    double[][] cov = {{2.0, 0.9}, {0.9, 1.0}};
    MultivariateNormal prior = new MultivariateNormal(mean, cov);
    double det = 2.0 * 1.0 - 0.9 * 0.9;
    float[] t = {0.3f, -1.1f};
    double dx = t[0] - 1;
    double dy = t[1] + 2;
    double quad = (1.0 * dx * dx - 2 * 0.9 * dx * dy + 2.0 * dy * dy) / det;
    double expected = -Math.log(2 * Math.PI) - 0.5 * Math.log(det) - 0.5 * quad;
    assertEquals(expected, prior.logProb(t), 1e-6);

    SplittableRandom rng = new SplittableRandom(2);
    double sx = 0, sy = 0, sxy = 0, sxx = 0;
    for (int i = 0; i < N; i++) {
      float[] s = prior.sample(rng);
      sx += s[0];
      sy += s[1];
      sxx += s[0] * (double) s[0];
      sxy += s[0] * (double) s[1];
    }
    double mx = sx / N;
    double my = sy / N;
    assertEquals(1.0, mx, 0.03);
    assertEquals(-2.0, my, 0.03);
    assertEquals(2.0, sxx / N - mx * mx, 0.06);
    assertEquals(0.9, sxy / N - mx * my, 0.04);
  }

  @Test
  void gaussianRefusesIndefiniteCovariance() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new MultivariateNormal(new double[] {0, 0}, new double[][] {{1, 2}, {2, 1}}));
    assertTrue(e.getMessage().contains("positive definite"), e.getMessage());
  }

  @Test
  void logNormalMatchesProductOfUnivariateDensities() {
    LogNormal prior = new LogNormal(new double[] {0.5, -1}, new double[][] {{0.25, 0}, {0, 4}});
    float[] t = {2.0f, 0.3f};
    double expected = 0;
    double[] mu = {0.5, -1};
    double[] sd = {0.5, 2};
    for (int i = 0; i < 2; i++) {
      double z = (Math.log(t[i]) - mu[i]) / sd[i];
      expected += -Math.log(t[i] * sd[i] * Math.sqrt(2 * Math.PI)) - 0.5 * z * z;
    }
    assertEquals(expected, prior.logProb(t), 1e-6);
    assertEquals(Double.NEGATIVE_INFINITY, prior.logProb(new float[] {0f, 1f}));

    SplittableRandom rng = new SplittableRandom(3);
    double meanLog = 0;
    for (int i = 0; i < N; i++) {
      float[] s = prior.sample(rng);
      assertTrue(prior.inSupport(s));
      meanLog += Math.log(s[0]) / N;
    }
    assertEquals(0.5, meanLog, 0.01);
  }
}

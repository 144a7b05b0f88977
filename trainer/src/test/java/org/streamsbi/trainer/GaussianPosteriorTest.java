package org.streamsbi.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.streamsbi.core.prior.MultivariateNormal;

/** Trains on a 2-D linear-Gaussian model and compares the estimate with the exact answer. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GaussianPosteriorTest {
  private final LinearGaussian truth =
      LinearGaussian.correlated2d();
  private Posterior posterior;

  @BeforeAll
  void train() throws InterruptedException {
    // The prior is far wider than the posterior, so no draw is rejected.
    posterior =
        new NpeTrainer(FlowConfig.defaults(), new TrainerConfig(256, 5e-4, 250, 5.0, 7))
            .train(
                truth.buffer(20_000, 1),
                MultivariateNormal.isotropic(new double[2], 100),
                StoppingRule.patience(5).or(StoppingRule.maxSteps(5_000)))
            .posterior();
  }

  @AfterAll
  void close() {
    posterior.close();
  }

  @Test
  void logProbMatchesTheAnalyticDensity() {
    double meanError = truth.meanLogProbError(posterior, new SplittableRandom(99));
    assertTrue(meanError < 0.1, "mean |log q − log p| = " + meanError + " nats");
  }

  @Test
  void samplesHaveTheAnalyticMoments() {
    float[] x = {0.5f, -1f};
    PosteriorSamples samples = posterior.sample(10_000, x, 5);
    assertEquals(10_000, samples.theta().length);
    assertEquals(1.0, samples.acceptanceRate());
    double[] mean = new double[2];
    for (float[] t : samples.theta()) {
      mean[0] += t[0] / 10_000.0;
      mean[1] += t[1] / 10_000.0;
    }
    double[][] cov = new double[2][2];
    for (float[] t : samples.theta()) {
      for (int i = 0; i < 2; i++) {
        for (int j = 0; j < 2; j++) {
          cov[i][j] += (t[i] - mean[i]) * (t[j] - mean[j]) / 9_999.0;
        }
      }
    }
    double[] expectedMean = truth.mean(x);
    for (int i = 0; i < 2; i++) {
      double sd = Math.sqrt(truth.covariance[i][i]);
      assertEquals(expectedMean[i], mean[i], 0.1 * sd, "mean " + i);
      for (int j = 0; j < 2; j++) {
        double scale = Math.sqrt(truth.covariance[i][i] * truth.covariance[j][j]);
        assertEquals(truth.covariance[i][j], cov[i][j], 0.1 * scale, "cov " + i + j);
      }
    }
  }

  @Test
  void mapIsTheGaussianMode() {
    float[] x = {0.5f, -1f};
    float[] map = posterior.map(x, 11);
    double[] mode = truth.mean(x);
    for (int i = 0; i < 2; i++) {
      assertEquals(mode[i], map[i], 0.1 * Math.sqrt(truth.covariance[i][i]), "MAP " + i);
    }
    // The flow's own mode: no neighbour nor posterior draw is more probable under the flow.
    double atMap = RandomFlows.assertIsTheFlowsMode(posterior, map, x);
    double[] atDraws = posterior.logProb(posterior.sample(2_000, x, 12).theta(), x);
    for (double logQ : atDraws) {
      assertTrue(logQ <= atMap + 1e-4, logQ + " > " + atMap);
    }
  }
}

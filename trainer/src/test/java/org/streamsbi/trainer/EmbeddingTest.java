package org.streamsbi.trainer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.streamsbi.buffer.ReplayBuffer;
import org.streamsbi.buffer.ReplayBufferConfig;
import org.streamsbi.core.Sample;
import org.streamsbi.core.prior.BoxUniform;
import org.streamsbi.core.prior.MultivariateNormal;

/** Embedding networks trained jointly with the estimator on a high-dimensional x. */
class EmbeddingTest {
  private static final int LENGTH = 100;
  private static final double NOISE = 0.2;
  /** Amplitude in [0.5, 1.5], angular frequency in [0.1, 0.3] rad per step. */
  private static final BoxUniform PRIOR =
      new BoxUniform(new double[] {0.5, 0.1}, new double[] {1.5, 0.3});

  private static float[] series(float[] theta, SplittableRandom rng) {
    float[] x = new float[LENGTH];
    for (int t = 0; t < LENGTH; t++) {
      x[t] = (float) (theta[0] * Math.sin(theta[1] * t) + NOISE * rng.nextGaussian());
    }
    return x;
  }

  /**
   * x is a noisy sine of 100 points: a CNN-embedded MAF behind the logit transform finds amplitude
   * and frequency, its posterior holds the truth and is far narrower than the prior, and a saved
   * posterior reloads with identical log-densities.
   */
  @Test
  void aCnnEmbeddedPosteriorOfATimeSeriesIsNarrowAndSurvivesSaving() throws Exception {
    int n = 10_000;
    ReplayBuffer buffer = new ReplayBuffer(new ReplayBufferConfig(n, n / 2, 0.1), 2, LENGTH);
    SplittableRandom rng = new SplittableRandom(5);
    for (int i = 0; i < n; i++) {
      float[] theta = PRIOR.sample(rng);
      String id = "t" + i;
      buffer.insert(new Sample(id, "run", 1, id, 0, theta, series(theta, rng), "w", 0));
    }
    FlowConfig config =
        FlowConfig.defaults(Estimator.MAF)
            .withEmbedding(Embedding.cnn(8, 5, 10))
            .withLogitTransform(true);
    float[] truth = {1.1f, 0.17f};
    float[] observed = series(truth, new SplittableRandom(9));
    try (Posterior posterior =
        new NpeTrainer(config, new TrainerConfig(256, 1e-3, 100, 5.0, 1))
            .train(buffer, PRIOR, StoppingRule.maxSteps(3_000))
            .posterior()) {
      float[][] draws = posterior.sample(4_000, observed, 3).theta();
      double[] priorSd = {1 / Math.sqrt(12), 0.2 / Math.sqrt(12)};
      for (int i = 0; i < 2; i++) {
        double sum = 0;
        double squares = 0;
        for (float[] theta : draws) {
          sum += theta[i];
          squares += theta[i] * theta[i];
        }
        double mean = sum / draws.length;
        double sd = Math.sqrt(squares / draws.length - mean * mean);
        assertTrue(
            Math.abs(mean - truth[i]) < 3 * sd,
            "θ_" + i + ": posterior " + mean + " ± " + sd + ", truth " + truth[i]);
        assertTrue(sd < priorSd[i] / 4, "θ_" + i + ": posterior sd " + sd + ", prior's " + priorSd[i]);
      }

      ByteArrayOutputStream saved = new ByteArrayOutputStream();
      posterior.save(saved);
      try (Posterior loaded = Posterior.load(new ByteArrayInputStream(saved.toByteArray()), PRIOR)) {
        assertEquals(config, loaded.flowConfig());
        assertArrayEquals(posterior.logProb(draws, observed), loaded.logProb(draws, observed));
      }
    }
  }

  @Test
  void rejectsInvalidShapes() {
    assertThrows(IllegalArgumentException.class, () -> Embedding.cnn(8, 4, 10));
    assertThrows(IllegalArgumentException.class, () -> Embedding.mlp(0, 10));
    assertThrows(IllegalArgumentException.class, () -> new Embedding(Embedding.Kind.NONE, 1, 0, 0));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                ConditionalEstimator.of(
                    FlowConfig.defaults().withEmbedding(Embedding.cnn(4, 3, 2)), 1, 3));
    assertTrue(e.getMessage().contains("flow.embedding"), e.getMessage());
  }

  /** The MLP embedding trains with the MDN and round-trips through a file as well. */
  @Test
  void anMlpEmbeddedMixtureSurvivesSaving() throws Exception {
    LinearGaussian truth = LinearGaussian.correlated2d();
    FlowConfig config = FlowConfig.defaults(Estimator.MDN).withEmbedding(Embedding.mlp(32, 4));
    try (Posterior posterior =
        new NpeTrainer(config, new TrainerConfig(128, 1e-3, 50, 5.0, 2))
            .train(
                truth.buffer(2_000, 3),
                MultivariateNormal.isotropic(new double[2], 100),
                StoppingRule.maxSteps(100))
            .posterior()) {
      float[] x = {0.3f, -0.2f};
      float[][] theta = posterior.sample(100, x, 1).theta();
      ByteArrayOutputStream saved = new ByteArrayOutputStream();
      posterior.save(saved);
      try (Posterior loaded =
          Posterior.load(new ByteArrayInputStream(saved.toByteArray()), posterior.prior())) {
        assertEquals(config, loaded.flowConfig());
        assertArrayEquals(posterior.logProb(theta, x), loaded.logProb(theta, x));
        assertArrayEquals(posterior.sample(50, x, 4).theta(), loaded.sample(50, x, 4).theta());
      }
    }
  }
}

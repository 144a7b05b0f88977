package org.streamsbi.trainer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.util.List;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;
import org.streamsbi.core.prior.BoxUniform;
import org.streamsbi.core.prior.LogNormal;
import org.streamsbi.core.prior.MultivariateNormal;
import org.streamsbi.core.prior.Prior;

/** posterior.bin records its prior, so that a file loads without the run that trained it. */
class SavedPriorTest {
  private static final LinearGaussian TRUTH = LinearGaussian.correlated2d();
  private static final Prior PRIOR = MultivariateNormal.isotropic(new double[2], 100);

  @Test
  void everyKindARunFileNamesReadsBackAsTheSamePrior() throws Exception {
    double[][] cov = {{2, 0.5}, {0.5, 1}};
    for (Prior prior : List.of(new BoxUniform(new double[] {-1, 0}, new double[] {1, 3}),
        new MultivariateNormal(new double[] {1, -2}, cov), new LogNormal(new double[] {0, 1}, cov))) {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      SavedPrior.write(new DataOutputStream(bytes), prior);
      Prior read = SavedPrior.read(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray()))).orElseThrow();
      assertEquals(prior.getClass(), read.getClass());
      assertEquals(prior, read);
      float[] theta = {0.5f, 1.5f};
      assertEquals(prior.logProb(theta), read.logProb(theta), 1e-12);
    }
    assertFalse(BoxUniform.of(2, -1, 1).equals(BoxUniform.of(2, -1, 2)));
  }

  @Test
  void aSavedPosteriorLoadsWithItsPriorOrUnderOneGiven() throws Exception {
    try (Posterior posterior = trained()) {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      posterior.save(bytes);
      float[] x = {0.3f, -0.2f};
      try (Posterior loaded = Posterior.load(new ByteArrayInputStream(bytes.toByteArray()))) {
        assertInstanceOf(MultivariateNormal.class, loaded.prior());
        assertEquals(PRIOR, loaded.prior());
        assertEquals(2, loaded.xDimension());
        float[][] drawn = posterior.sample(20, x, 4).theta();
        float[][] reloaded = loaded.sample(20, x, 4).theta();
        for (int r = 0; r < drawn.length; r++) {
          assertArrayEquals(drawn[r], reloaded[r]);
        }
        IllegalArgumentException wrongWidth =
            assertThrows(IllegalArgumentException.class, () -> loaded.sample(5, new float[] {1, 2, 3}, 0));
        assertEquals("the observation has 3 values, expected 2", wrongWidth.getMessage());
      }
      assertEquals(PRIOR, Posterior.recordedPrior(new ByteArrayInputStream(bytes.toByteArray())).orElseThrow());
      Prior other = MultivariateNormal.isotropic(new double[2], 1);
      try (Posterior under = Posterior.load(new ByteArrayInputStream(bytes.toByteArray()), other)) {
        assertEquals(other, under.prior());
      }
    }
  }

  @Test
  void aFileFromBeforePriorsWereRecordedNeedsThePrior() throws Exception {
    try (Posterior posterior = trained(); ConditionalDensity density = posterior.densityCopy()) {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      DataOutputStream data = new DataOutputStream(bytes);
      density.write(data);
      data.flush();
      IllegalArgumentException noPrior = assertThrows(IllegalArgumentException.class,
          () -> Posterior.load(new ByteArrayInputStream(bytes.toByteArray())));
      assertTrue(noPrior.getMessage().contains("records no prior"), noPrior.getMessage());
      try (Posterior loaded = Posterior.load(new ByteArrayInputStream(bytes.toByteArray()), PRIOR)) {
        assertEquals(PRIOR, loaded.prior());
      }
      assertTrue(Posterior.recordedPrior(new ByteArrayInputStream(bytes.toByteArray())).isEmpty());
    }
  }

  @Test
  void aPriorOfNoKindARunFileNamesIsRecordedAsUnrecorded() throws Exception {
    Prior custom = new Prior() {
      public int dimension() {
        return 2;
      }

      public float[] sample(RandomGenerator rng) {
        return PRIOR.sample(rng);
      }

      public double logProb(float[] theta) {
        return PRIOR.logProb(theta);
      }

      public boolean inSupport(float[] theta) {
        return true;
      }
    };
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    SavedPrior.write(new DataOutputStream(bytes), custom);
    assertTrue(SavedPrior.read(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray()))).isEmpty());
  }

  private static Posterior trained() throws InterruptedException {
    return new NpeTrainer(FlowConfig.defaults(), new TrainerConfig(128, 1e-3, 50, 5.0, 5))
        .train(TRUTH.buffer(1_000, new SplittableRandom(2).nextLong()), PRIOR, StoppingRule.maxSteps(50))
        .posterior();
  }
}

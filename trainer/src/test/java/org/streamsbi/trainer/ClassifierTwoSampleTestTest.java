package org.streamsbi.trainer;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ClassifierTwoSampleTestTest {

  private static float[][] gaussian(int n, int dim, double shift, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    float[][] rows = new float[n][dim];
    for (float[] row : rows) {
      for (int c = 0; c < dim; c++) {
        row[c] = (float) (rng.nextGaussian() + shift);
      }
    }
    return rows;
  }

  @Test
  void samplesOfOneDistributionAreIndistinguishable() {
    double accuracy =
        ClassifierTwoSampleTest.accuracy(gaussian(500, 2, 0, 1), gaussian(500, 2, 0, 2), 3);
    assertTrue(accuracy < 0.6, "accuracy " + accuracy);
  }

  /** Shifted by 3 std in both coordinates, the best possible accuracy is Φ(3·√2 / 2) ≈ 0.983. */
  @Test
  void samplesThreeStdApartAreTold() {
    double accuracy =
        ClassifierTwoSampleTest.accuracy(gaussian(500, 2, 0, 1), gaussian(500, 2, 3, 2), 3);
    assertTrue(accuracy > 0.95, "accuracy " + accuracy);
  }
}

package org.streamsbi.simulator.sbibm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BenchmarkTaskTest {
  private static final int N = 20_000;

  @Test
  void everyBundledReferencePosteriorHoldsTenThousandDrawsInThePriorsSupport() {
    for (String name : new String[] {"two_moons", "slcp", "gaussian_linear", "gaussian_mixture"}) {
      BenchmarkTask task = BenchmarkTask.named(name);
      for (int n = 1; n <= BenchmarkTask.OBSERVATIONS; n++) {
        float[][] reference = task.referencePosterior(n);
        assertEquals(10_000, reference.length, name + " obs" + n);
        for (float[] theta : reference) {
          assertEquals(task.thetaDimension(), theta.length, name + " obs" + n);
          assertTrue(Double.isFinite(task.prior().logProb(theta)), name + " obs" + n);
        }
      }
    }
  }

  @Test
  void gaussianLinearReferenceIsCentredOnItsAnalyticPosteriorMean() {
    // Prior N(0, 0.1 I) and likelihood N(θ, 0.1 I): the posterior mean is x_o / 2, sd 0.22.
    BenchmarkTask task = BenchmarkTask.named("gaussian_linear");
    for (int n : new int[] {1, 7}) {
      float[] observed = task.observation(n);
      float[][] reference = task.referencePosterior(n);
      for (int j = 0; j < observed.length; j++) {
        double mean = 0;
        for (float[] theta : reference) {
          mean += theta[j] / (double) reference.length;
        }
        assertEquals(observed[j] / 2, mean, 0.01, "obs" + n + " θ" + (j + 1));
      }
    }
  }

  @Test
  void aReferenceBeyondTheTenObservationsIsRefused() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> BenchmarkTask.named("slcp").referencePosterior(11));
    assertTrue(e.getMessage().contains("between 1 and 10"), e.getMessage());
  }

  @Test
  void twoMoonsRadiusHasTheDefinedDistribution() {
    TwoMoons task = new TwoMoons();
    SplittableRandom rng = new SplittableRandom(1);
    double sum = 0, sumSq = 0;
    for (int i = 0; i < N; i++) {
      float[] theta = task.prior().sample(rng);
      float[] x = task.simulate(theta, rng.nextLong());
      double z0 = (theta[0] + theta[1]) / Math.sqrt(2);
      double z1 = (theta[1] - theta[0]) / Math.sqrt(2);
      double u = x[0] + Math.abs(z0) - 0.25;
      double v = x[1] - z1;
      assertTrue(u > -1e-5, "u must be non-negative, got " + u);
      double r = Math.hypot(u, v);
      sum += r;
      sumSq += r * r;
    }
    double mean = sum / N;
    assertEquals(0.1, mean, 5e-4);
    assertEquals(0.01, Math.sqrt(sumSq / N - mean * mean), 5e-4);
  }

  @Test
  void gaussianLinearNoiseHasVarianceOneTenth() {
    GaussianLinear task = new GaussianLinear();
    SplittableRandom rng = new SplittableRandom(2);
    double sumSq = 0, priorSq = 0;
    for (int i = 0; i < N; i++) {
      float[] theta = task.prior().sample(rng);
      float[] x = task.simulate(theta, rng.nextLong());
      for (int j = 0; j < 10; j++) {
        sumSq += Math.pow(x[j] - theta[j], 2);
        priorSq += theta[j] * theta[j];
      }
    }
    assertEquals(0.1, sumSq / (10.0 * N), 0.003);
    assertEquals(0.1, priorSq / (10.0 * N), 0.003);
  }

  @Test
  void slcpDrawsFollowTheParameterisedGaussian() {
    Slcp task = new Slcp();
    float[] theta = {0.5f, -1f, 1.2f, -0.8f, 0.7f};
    double s1 = 1.2 * 1.2, s2 = 0.8 * 0.8, rho = Math.tanh(0.7);
    SplittableRandom rng = new SplittableRandom(3);
    double ma = 0, mb = 0, vaa = 0, vbb = 0, vab = 0;
    int n = 0;
    for (int i = 0; i < N / 4; i++) {
      float[] x = task.simulate(theta, rng.nextLong());
      assertEquals(8, x.length);
      for (int k = 0; k < 4; k++) {
        double a = x[2 * k] - 0.5, b = x[2 * k + 1] + 1;
        ma += a;
        mb += b;
        vaa += a * a;
        vbb += b * b;
        vab += a * b;
        n++;
      }
    }
    assertEquals(0, ma / n, 0.05);
    assertEquals(0, mb / n, 0.03);
    assertEquals(s1 * s1, vaa / n, 0.1 * s1 * s1);
    assertEquals(s2 * s2, vbb / n, 0.1 * s2 * s2);
    assertEquals(rho * s1 * s2, vab / n, 0.1 * s1 * s2);
  }

  @Test
  void gaussianMixtureMixesTwoScales() {
    GaussianMixture task = new GaussianMixture();
    SplittableRandom rng = new SplittableRandom(4);
    float[] theta = {3f, -7f};
    int narrow = 0;
    double sumSq = 0;
    for (int i = 0; i < N; i++) {
      float[] x = task.simulate(theta, rng.nextLong());
      double d0 = x[0] - 3, d1 = x[1] + 7;
      sumSq += d0 * d0 + d1 * d1;
      if (Math.abs(d0) < 0.4 && Math.abs(d1) < 0.4) {
        narrow++;
      }
    }
    assertEquals(0.505, sumSq / (2.0 * N), 0.02);
    // Both coordinates within 4σ of the narrow component: about half, plus the broad one's share.
    assertEquals(0.5 + 0.5 * Math.pow(0.3108, 2), narrow / (double) N, 0.02);
  }

  @Test
  void sameSeedSameOutputOnEveryTask() {
    for (String name : new String[] {"two_moons", "slcp", "gaussian_linear", "gaussian_mixture"}) {
      BenchmarkTask task = BenchmarkTask.named(name);
      float[] theta = task.prior().sample(new SplittableRandom(5));
      assertArrayEquals(task.simulate(theta, 42), BenchmarkTask.named(name).simulate(theta, 42), name);
      assertEquals(task.xDimension(), task.observation(3).length, name);
      assertEquals(task.thetaDimension(), task.trueParameters(3).length, name);
    }
  }

  @Test
  void observationsAreTheBenchmarks() {
    assertArrayEquals(new float[] {-0.6396706f, 0.16234657f}, new TwoMoons().observation(1));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new TwoMoons().observation(11));
    assertTrue(e.getMessage().contains("between 1 and 10"));
    assertThrows(IllegalArgumentException.class, () -> BenchmarkTask.named("three_moons"));
  }
}

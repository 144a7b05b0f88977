package org.streamsbi.simulator.sbibm;

import java.util.SplittableRandom;
import org.streamsbi.core.prior.MultivariateNormal;

/**
 * sbibm's gaussian_linear: θ ~ N(0, 0.1·I₁₀), x ~ N(θ, 0.1·I₁₀); the posterior is N(x_o/2,
 * 0.05·I). sbibm's {@code prior_scale=0.1} is a variance, not a standard deviation.
 */
public final class GaussianLinear extends BenchmarkTask {
  private static final int DIMENSION = 10;
  private static final double VARIANCE = 0.1;

  public GaussianLinear() {
    super("gaussian_linear", MultivariateNormal.isotropic(new double[DIMENSION], VARIANCE), DIMENSION);
  }

  @Override
  public float[] simulate(float[] theta, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    double std = Math.sqrt(VARIANCE);
    float[] x = new float[DIMENSION];
    for (int i = 0; i < DIMENSION; i++) {
      x[i] = (float) (theta[i] + std * rng.nextGaussian());
    }
    return x;
  }
}

package org.streamsbi.simulator.sbibm;

import java.util.SplittableRandom;
import org.streamsbi.core.prior.BoxUniform;

/**
 * sbibm's gaussian_mixture (v1.1.0 and later: one component per simulation): x ~ N(θ, I) or
 * N(θ, 0.01·I) with equal probability, θ ~ U(−10, 10)².
 */
public final class GaussianMixture extends BenchmarkTask {

  public GaussianMixture() {
    super("gaussian_mixture", BoxUniform.of(2, -10, 10), 2);
  }

  @Override
  public float[] simulate(float[] theta, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    double std = rng.nextBoolean() ? 1.0 : 0.1;
    return new float[] {
      (float) (theta[0] + std * rng.nextGaussian()), (float) (theta[1] + std * rng.nextGaussian())
    };
  }
}

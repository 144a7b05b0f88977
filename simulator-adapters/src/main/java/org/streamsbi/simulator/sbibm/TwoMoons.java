package org.streamsbi.simulator.sbibm;

import java.util.SplittableRandom;
import org.streamsbi.core.prior.BoxUniform;

/** sbibm's two_moons: θ ~ U(−1, 1)², a crescent-shaped, bimodal posterior. */
public final class TwoMoons extends BenchmarkTask {
  private static final double SQRT_HALF = Math.sqrt(0.5);

  public TwoMoons() {
    super("two_moons", BoxUniform.of(2, -1, 1), 2);
  }

  @Override
  public float[] simulate(float[] theta, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    double a = Math.PI * (rng.nextDouble() - 0.5);
    double r = 0.1 + 0.01 * rng.nextGaussian();
    double p0 = r * Math.cos(a) + 0.25;
    double p1 = r * Math.sin(a);
    double z0 = (theta[0] + theta[1]) * SQRT_HALF;
    double z1 = (theta[1] - theta[0]) * SQRT_HALF;
    return new float[] {(float) (p0 - Math.abs(z0)), (float) (p1 + z1)};
  }
}

package org.streamsbi.simulator.sbibm;

import java.util.SplittableRandom;
import org.streamsbi.core.prior.BoxUniform;

/**
 * sbibm's slcp: four iid draws from a 2-D Gaussian whose mean, scales and correlation are θ; a
 * simple likelihood with a complex, multimodal posterior.
 */
public final class Slcp extends BenchmarkTask {
  private static final int DRAWS = 4;

  public Slcp() {
    super("slcp", BoxUniform.of(5, -3, 3), 2 * DRAWS);
  }

  @Override
  public float[] simulate(float[] theta, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    double s1 = (double) theta[2] * theta[2];
    double s2 = (double) theta[3] * theta[3];
    double rho = Math.tanh(theta[4]);
    double c11 = s1 * s1 + 1e-6;
    double c22 = s2 * s2 + 1e-6;
    double c12 = rho * s1 * s2;
    double l11 = Math.sqrt(c11);
    double l21 = c12 / l11;
    double l22 = Math.sqrt(Math.max(0, c22 - l21 * l21));
    float[] x = new float[2 * DRAWS];
    for (int k = 0; k < DRAWS; k++) {
      double e1 = rng.nextGaussian();
      double e2 = rng.nextGaussian();
      x[2 * k] = (float) (theta[0] + l11 * e1);
      x[2 * k + 1] = (float) (theta[1] + l21 * e1 + l22 * e2);
    }
    return x;
  }
}

package org.streamsbi.controller.diagnostics;

import org.streamsbi.trainer.Posterior;

/**
 * What the diagnostics need of a posterior estimate q(θ | x): draws and densities. The trainer's
 * {@link Posterior} is one; an exact posterior is another, which lets the diagnostics be checked
 * against a known answer.
 */
public interface PosteriorEstimate {

  int thetaDimension();

  /** {@code n} draws θ ~ q(θ | x), reproducible from the seed. */
  float[][] sample(int n, float[] x, long seed);

  /** log q(θ | x) for each row of θ. */
  double[] logProb(float[][] theta, float[] x);

  /** The trainer's posterior as an estimate; the caller keeps ownership and closes it. */
  static PosteriorEstimate of(Posterior posterior) {
    return new PosteriorEstimate() {
      @Override
      public int thetaDimension() {
        return posterior.thetaDimension();
      }

      @Override
      public float[][] sample(int n, float[] x, long seed) {
        return posterior.sample(n, x, seed).theta();
      }

      @Override
      public double[] logProb(float[][] theta, float[] x) {
        return posterior.logProb(theta, x);
      }
    };
  }
}

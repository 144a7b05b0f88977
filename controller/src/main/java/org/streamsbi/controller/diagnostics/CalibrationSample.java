package org.streamsbi.controller.diagnostics;

import java.util.SplittableRandom;
import org.streamsbi.core.prior.Prior;
import org.streamsbi.simulator.Simulator;

/**
 * Held-out simulations θ_i ~ p(θ), x_i ~ p(x | θ_i) and, for each, draws of q(θ | x_i): what both
 * simulation-based calibration and expected coverage rank θ_i among, as sbi's {@code run_sbc}.
 *
 * @param theta the held-out θ_i, one row per run
 * @param x the x_i simulated at them
 * @param draws {@code draws[i]}: the posterior draws at x_i
 */
public record CalibrationSample(float[][] theta, float[][] x, float[][][] draws) {

  public CalibrationSample {
    if (theta.length != x.length || theta.length != draws.length) {
      throw new IllegalArgumentException(
          "a calibration sample needs as many x and draw sets as θ, got " + theta.length + ", "
              + x.length + " and " + draws.length);
    }
  }

  /**
   * Draws {@code config.sbcRuns()} held-out pairs and {@code config.posteriorDraws()} posterior
   * draws at each; simulations run on {@code config.threads()} threads.
   */
  public static CalibrationSample draw(
      Prior prior, Simulator simulator, PosteriorEstimate posterior, DiagnosticsConfig config) {
    if (prior.dimension() != simulator.thetaDimension()
        || prior.dimension() != posterior.thetaDimension()) {
      throw new IllegalArgumentException(
          "θ dimensions differ: prior " + prior.dimension() + ", simulator "
              + simulator.thetaDimension() + ", posterior " + posterior.thetaDimension());
    }
    SplittableRandom rng = new SplittableRandom(config.seed());
    int runs = config.sbcRuns();
    float[][] theta = new float[runs][];
    for (int i = 0; i < runs; i++) {
      theta[i] = prior.sample(rng);
    }
    float[][] x = ParallelSimulation.simulate(simulator, theta, rng.nextLong(), config.threads());
    float[][][] draws = new float[runs][][];
    long sampling = rng.nextLong();
    for (int i = 0; i < runs; i++) {
      draws[i] = posterior.sample(config.posteriorDraws(), x[i], sampling + i);
    }
    return new CalibrationSample(theta, x, draws);
  }

  public int runs() {
    return theta.length;
  }

  public int thetaDimension() {
    return theta[0].length;
  }

  /** Draws per run (the same for every run). */
  public int posteriorDraws() {
    return draws[0].length;
  }
}

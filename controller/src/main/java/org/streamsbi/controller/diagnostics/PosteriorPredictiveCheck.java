package org.streamsbi.controller.diagnostics;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.streamsbi.core.prior.Prior;
import org.streamsbi.simulator.Simulator;

/**
 * Posterior predictive check: simulations at posterior draws should land near x_o, much nearer
 * than simulations at prior draws. Compares the Euclidean distances ||x − x_o|| of both.
 */
public final class PosteriorPredictiveCheck {
  private PosteriorPredictiveCheck() {}

  /**
   * @param posterior ||x − x_o|| for x simulated at posterior draws
   * @param prior ||x − x_o|| for x simulated at prior draws
   */
  public record Result(double[] posterior, double[] prior) {

    /** Quantile {@code q} of sorted distances, interpolated linearly. */
    public static double quantile(double[] distances, double q) {
      double[] sorted = distances.clone();
      Arrays.sort(sorted);
      double position = q * (sorted.length - 1);
      int below = (int) Math.floor(position);
      int above = Math.min(sorted.length - 1, below + 1);
      return sorted[below] + (position - below) * (sorted[above] - sorted[below]);
    }

    public static double mean(double[] distances) {
      return Arrays.stream(distances).average().orElse(Double.NaN);
    }

    /** Median posterior predictive distance over the prior predictive's: well below 1 is good. */
    public double medianRatio() {
      return quantile(posterior, 0.5) / quantile(prior, 0.5);
    }
  }

  /**
   * Simulates at the first {@code config.predictiveDraws()} posterior draws (cycling when fewer)
   * and at as many prior draws.
   */
  public static Result run(
      Prior prior,
      Simulator simulator,
      float[][] posteriorDraws,
      float[] observation,
      DiagnosticsConfig config) {
    if (observation.length != simulator.xDimension()) {
      throw new IllegalArgumentException(
          "the observation has " + observation.length + " values, the simulator's x "
              + simulator.xDimension());
    }
    int n = config.predictiveDraws();
    // A stream of its own: the calibration sample draws its prior draws from the same seed.
    SplittableRandom rng = new SplittableRandom(config.seed() ^ 0x5DEECE66DL);
    float[][] atPosterior = new float[n][];
    float[][] atPrior = new float[n][];
    for (int i = 0; i < n; i++) {
      atPosterior[i] = posteriorDraws[i % posteriorDraws.length];
      atPrior[i] = prior.sample(rng);
    }
    double[] posteriorDistances =
        distances(ParallelSimulation.simulate(simulator, atPosterior, rng.nextLong(), config.threads()), observation);
    double[] priorDistances =
        distances(ParallelSimulation.simulate(simulator, atPrior, rng.nextLong(), config.threads()), observation);
    return new Result(posteriorDistances, priorDistances);
  }

  private static double[] distances(float[][] xs, float[] observation) {
    double[] d = new double[xs.length];
    for (int i = 0; i < xs.length; i++) {
      double sum = 0;
      for (int j = 0; j < observation.length; j++) {
        double diff = xs[i][j] - observation[j];
        sum += diff * diff;
      }
      d[i] = Math.sqrt(sum);
    }
    return d;
  }
}

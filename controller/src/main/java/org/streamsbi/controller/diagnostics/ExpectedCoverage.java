package org.streamsbi.controller.diagnostics;

/**
 * Expected coverage of the posterior's highest-density regions, as sbi's expected-coverage SBC:
 * θ_i lies inside the α-HPD region of q(θ | x_i) when fewer than a share α of the draws have a
 * higher density than θ_i. Calibrated posteriors cover θ_i at rate α; overconfident ones less.
 */
public final class ExpectedCoverage {
  private ExpectedCoverage() {}

  /**
   * @param levels credibility levels α
   * @param coverage share of runs whose θ_i lies in the α-HPD region, per level
   * @param runs how many held-out θ_i the shares are of
   */
  public record Curve(double[] levels, double[] coverage, int runs) {

    /** The coverage at the level nearest {@code level}. */
    public double at(double level) {
      int nearest = 0;
      for (int k = 1; k < levels.length; k++) {
        if (Math.abs(levels[k] - level) < Math.abs(levels[nearest] - level)) {
          nearest = k;
        }
      }
      return coverage[nearest];
    }
  }

  /** Levels 0.01, 0.02, …, 0.99. */
  public static double[] percentLevels() {
    double[] levels = new double[99];
    for (int k = 0; k < levels.length; k++) {
      levels[k] = (k + 1) / 100.0;
    }
    return levels;
  }

  public static Curve of(CalibrationSample sample, PosteriorEstimate posterior, double[] levels) {
    int runs = sample.runs();
    double[] higherShare = new double[runs];
    for (int i = 0; i < runs; i++) {
      float[][] draws = sample.draws()[i];
      float[][] rows = new float[draws.length + 1][];
      rows[0] = sample.theta()[i];
      System.arraycopy(draws, 0, rows, 1, draws.length);
      double[] logQ = posterior.logProb(rows, sample.x()[i]);
      int higher = 0;
      for (int r = 1; r < logQ.length; r++) {
        if (logQ[r] > logQ[0]) {
          higher++;
        }
      }
      higherShare[i] = (double) higher / draws.length;
    }
    double[] coverage = new double[levels.length];
    for (int k = 0; k < levels.length; k++) {
      if (!(levels[k] > 0 && levels[k] < 1)) {
        throw new IllegalArgumentException("coverage levels must lie in (0, 1), got " + levels[k]);
      }
      int inside = 0;
      for (double share : higherShare) {
        if (share < levels[k]) {
          inside++;
        }
      }
      coverage[k] = (double) inside / runs;
    }
    return new Curve(levels.clone(), coverage, runs);
  }
}

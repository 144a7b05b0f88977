package org.streamsbi.controller.diagnostics;

import org.apache.commons.statistics.inference.ChiSquareTest;

/**
 * Simulation-based calibration (Talts et al. 2018): for a calibrated posterior the rank of each
 * held-out θ_i among its L posterior draws is uniform on {0, …, L}, per dimension. Uniformity is
 * judged by a chi-square test on the ranks grouped into bins.
 */
public final class SimulationBasedCalibration {
  /** Fewer expected ranks per bin make the chi-square approximation unreliable. */
  static final int MIN_EXPECTED_PER_BIN = 5;

  static final int MAX_BINS = 20;

  private SimulationBasedCalibration() {}

  /**
   * @param ranks {@code ranks[i][j]}: how many of run i's draws lie below θ_i in dimension j
   * @param posteriorDraws L; ranks lie in 0..L
   * @param bins rank bins of the chi-square test and the histograms
   * @param pValues per dimension, of uniform ranks
   */
  public record Result(int[][] ranks, int posteriorDraws, int bins, double[] pValues) {

    /** Run counts per bin of dimension j. */
    public long[] histogram(int dimension) {
      long[] counts = new long[bins];
      for (int[] run : ranks) {
        counts[bin(run[dimension], posteriorDraws, bins)]++;
      }
      return counts;
    }

    /** Share of the L + 1 possible ranks falling in each bin: the uniform expectation. */
    public double[] binShares() {
      double[] shares = new double[bins];
      for (int r = 0; r <= posteriorDraws; r++) {
        shares[bin(r, posteriorDraws, bins)] += 1.0 / (posteriorDraws + 1);
      }
      return shares;
    }

    /** The smallest p-value times the number of dimensions (Bonferroni), at most 1. */
    public double adjustedMinPValue() {
      double min = 1;
      for (double p : pValues) {
        min = Math.min(min, p);
      }
      return Math.min(1, min * pValues.length);
    }
  }

  public static Result of(CalibrationSample sample) {
    int runs = sample.runs();
    int d = sample.thetaDimension();
    int draws = sample.posteriorDraws();
    int[][] ranks = new int[runs][d];
    for (int i = 0; i < runs; i++) {
      float[] truth = sample.theta()[i];
      for (float[] draw : sample.draws()[i]) {
        for (int j = 0; j < d; j++) {
          if (draw[j] < truth[j]) {
            ranks[i][j]++;
          }
        }
      }
    }
    int bins = Math.max(2, Math.min(Math.min(MAX_BINS, runs / MIN_EXPECTED_PER_BIN), draws + 1));
    Result partial = new Result(ranks, draws, bins, new double[d]);
    double[] expected = partial.binShares();
    double[] pValues = new double[d];
    for (int j = 0; j < d; j++) {
      pValues[j] = ChiSquareTest.withDefaults().test(expected, partial.histogram(j)).getPValue();
    }
    return new Result(ranks, draws, bins, pValues);
  }

  static int bin(int rank, int posteriorDraws, int bins) {
    return (int) ((long) rank * bins / (posteriorDraws + 1));
  }
}

package org.streamsbi.controller;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.streamsbi.core.prior.Prior;
import org.streamsbi.trainer.Posterior;
import org.streamsbi.trainer.PosteriorSamples;

/**
 * The highest-probability region of q(θ | x_o) that TSNPE (Deistler et al. 2022) restricts the
 * prior to: θ with log q(θ | x_o) at or above the ε-quantile of log q over draws from q, as sbi's
 * {@code get_density_thresholder} and {@code RestrictedPrior}. Proposals are the prior restricted
 * to it, drawn by rejection from the prior, or by sampling-importance-resampling from q when the
 * region holds too little prior mass for rejection to be quick.
 *
 * <p>Not thread-safe: it evaluates the posterior it was built from, which its owner closes.
 */
public final class TruncationRegion implements ProposalSource {
  /** sbi's default quantile ε: the region keeps 1 − 10⁻⁴ of q's mass. */
  public static final double QUANTILE = 1e-4;
  /** Posterior draws that estimate the threshold, as sbi's {@code num_samples_to_estimate_support}. */
  public static final int THRESHOLD_DRAWS = 10_000;
  /** Prior draws per evaluation of q. */
  private static final int CHUNK = 10_000;
  /** Rejection gives way to SIR when it would need more prior draws than this. */
  private static final long MAX_REJECTION_DRAWS = 500_000;
  /** Candidates from q per proposal in SIR. */
  private static final int SIR_CANDIDATES = 32;
  /** Prior draws inside the region that make counting a better mass estimate than weighting. */
  private static final int MIN_COUNTED = 100;

  private final Posterior posterior;
  private final float[] observation;
  private final Prior prior;
  private final double threshold;
  private final double flowAcceptance;
  private final ArrayDeque<float[]> pool = new ArrayDeque<>();
  private double priorMass;
  private long rejectionDrawn;
  private long rejectionAccepted;

  private TruncationRegion(
      Posterior posterior, float[] observation, double threshold, double flowAcceptance) {
    this.posterior = posterior;
    this.observation = observation.clone();
    this.prior = posterior.prior();
    this.threshold = threshold;
    this.flowAcceptance = flowAcceptance;
  }

  /**
   * The region of {@code posterior} at {@code x_o}: the threshold is log q at the {@code quantile}
   * of {@code draws} posterior draws. The posterior must stay open while the region is used.
   */
  public static TruncationRegion of(
      Posterior posterior, float[] observation, double quantile, int draws, long seed) {
    if (!(quantile > 0 && quantile < 1)) {
      throw new IllegalArgumentException("truncation quantile must be in (0, 1), got " + quantile);
    }
    if (draws < 2) {
      throw new IllegalArgumentException("truncation draws must be at least 2, got " + draws);
    }
    PosteriorSamples samples = posterior.sample(draws, observation, seed);
    float[][] theta = samples.theta();
    double[] logQ = posterior.logProb(theta, observation);
    double[] sorted = logQ.clone();
    Arrays.sort(sorted);
    double threshold = sorted[(int) Math.floor(quantile * draws)];
    // Importance weights p/q over q's draws estimate the prior mass of the region; the draws come
    // from q restricted to the support, whose density is q divided by the acceptance rate.
    double sum = 0;
    for (int i = 0; i < theta.length; i++) {
      if (logQ[i] >= threshold) {
        sum += Math.exp(posterior.prior().logProb(theta[i]) - logQ[i]);
      }
    }
    double weighted = Math.min(1, samples.acceptanceRate() * sum / theta.length);
    TruncationRegion region =
        new TruncationRegion(posterior, observation, threshold, samples.acceptanceRate());
    region.countPriorMass(new SplittableRandom(seed + 1), weighted);
    return region;
  }

  /**
   * Counts a chunk of prior draws inside the region, and keeps them as the first proposals. The
   * count estimates the mass better than the importance weights, whose tails are heavy, unless
   * too few draws fall inside.
   */
  private void countPriorMass(SplittableRandom rng, double weighted) {
    float[][] candidates = new float[CHUNK][];
    for (int i = 0; i < CHUNK; i++) {
      candidates[i] = prior.sample(rng);
    }
    double[] logQ = logQ(candidates);
    for (int i = 0; i < CHUNK; i++) {
      if (logQ[i] >= threshold) {
        pool.add(candidates[i]);
      }
    }
    rejectionDrawn = CHUNK;
    rejectionAccepted = pool.size();
    priorMass = pool.size() >= MIN_COUNTED ? (double) pool.size() / CHUNK : weighted;
  }

  /** The whole-region threshold: log q(θ | x_o) at the quantile. */
  public double threshold() {
    return threshold;
  }

  /** Estimated prior mass of the region, in (0, 1]: how much of the prior TSNPE still proposes. */
  public double priorMass() {
    return priorMass;
  }

  /** Share of q's draws inside the prior's support when the threshold was estimated. */
  public double flowAcceptance() {
    return flowAcceptance;
  }

  /** Whether each θ lies in the region. */
  public boolean[] contains(float[][] theta) {
    boolean[] inside = new boolean[theta.length];
    double[] logQ = logQ(theta);
    for (int i = 0; i < theta.length; i++) {
      inside[i] = logQ[i] >= threshold && prior.inSupport(theta[i]);
    }
    return inside;
  }

  /**
   * {@code n} draws from the prior restricted to the region: by rejection from the prior while
   * its acceptance rate allows, the rest by sampling-importance-resampling from q.
   */
  public float[][] sample(int n, SplittableRandom rng) {
    float[][] out = new float[n][];
    int kept = 0;
    while (kept < n && !pool.isEmpty()) {
      out[kept++] = pool.poll();
    }
    while (kept < n) {
      if (rejectionDrawn >= CHUNK && (double) (n - kept) * rejectionDrawn / Math.max(1, rejectionAccepted) > MAX_REJECTION_DRAWS) {
        return sir(out, kept, rng);
      }
      float[][] candidates = new float[CHUNK][];
      for (int i = 0; i < CHUNK; i++) {
        candidates[i] = prior.sample(rng);
      }
      double[] logQ = logQ(candidates);
      for (int i = 0; i < CHUNK; i++) {
        rejectionDrawn++;
        if (logQ[i] >= threshold) {
          rejectionAccepted++;
          if (kept < n) {
            out[kept++] = candidates[i];
          }
        }
      }
    }
    return out;
  }

  /** Share of prior draws inside the region so far, or NaN before any rejection draw. */
  public double rejectionAcceptance() {
    return rejectionDrawn == 0 ? Double.NaN : (double) rejectionAccepted / rejectionDrawn;
  }

  /**
   * Fills {@code out} from {@code kept} on: candidates from q, weighted by p(θ)/q(θ | x_o) inside
   * the region, resampled in proportion to the weights (systematic resampling).
   */
  private float[][] sir(float[][] out, int kept, SplittableRandom rng) {
    int missing = out.length - kept;
    int m = Math.max(CHUNK, missing * SIR_CANDIDATES);
    float[][] candidates = posterior.sample(m, observation, rng.nextLong()).theta();
    double[] logQ = logQ(candidates);
    double[] cumulative = new double[m];
    double total = 0;
    for (int i = 0; i < m; i++) {
      if (logQ[i] >= threshold) {
        total += Math.exp(prior.logProb(candidates[i]) - logQ[i]);
      }
      cumulative[i] = total;
    }
    if (!(total > 0) || !Double.isFinite(total)) {
      throw new IllegalStateException(
          "no draw of q(θ | x_o) lies in the truncation region with positive prior density");
    }
    double step = total / missing;
    double u = rng.nextDouble() * step;
    int j = 0;
    for (int k = 0; k < missing; k++, u += step) {
      while (j < m - 1 && cumulative[j] < u) {
        j++;
      }
      out[kept + k] = candidates[j].clone();
    }
    return out;
  }

  private double[] logQ(float[][] theta) {
    double[] out = new double[theta.length];
    for (int from = 0; from < theta.length; from += CHUNK) {
      float[][] chunk = Arrays.copyOfRange(theta, from, Math.min(theta.length, from + CHUNK));
      double[] part = posterior.logProb(chunk, observation);
      System.arraycopy(part, 0, out, from, part.length);
    }
    return out;
  }
}

package org.streamsbi.trainer;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.SplittableRandom;
import org.streamsbi.core.prior.Prior;

/**
 * A trained neural posterior estimate q(θ | x) for a prior, as sbi's DirectPosterior: draws are
 * restricted to the prior's support by rejection. It owns the native memory of the flow: close
 * it when done. Safe to call from several threads (calls run one at a time).
 */
public final class Posterior implements AutoCloseable {
  /** Below this share of draws inside the support, sampling would take too long to wait for. */
  static final double MIN_ACCEPTANCE_RATE = 1e-3;
  /** Draws to make before judging the acceptance rate. */
  static final long DRAWS_BEFORE_GIVING_UP = 100_000;

  private final ConditionalDensity density;
  private final Prior prior;

  Posterior(ConditionalDensity density, Prior prior) {
    if (prior.dimension() != density.thetaDimension()) {
      throw new IllegalArgumentException(
          "the prior has " + prior.dimension() + " parameters, the estimator "
              + density.thetaDimension());
    }
    this.density = density;
    this.prior = prior;
  }

  /** Reads a posterior written by {@link #save}; the prior is not part of the file. */
  public static Posterior load(InputStream in, Prior prior) throws IOException {
    ConditionalDensity density = ConditionalDensity.read(new DataInputStream(in));
    try {
      return new Posterior(density, prior);
    } catch (RuntimeException e) {
      density.close();
      throw e;
    }
  }

  public synchronized void save(OutputStream out) throws IOException {
    DataOutputStream data = new DataOutputStream(out);
    density.write(data);
    data.flush();
  }

  /** An independent copy of the estimator, to continue training from or to use elsewhere. */
  synchronized ConditionalDensity densityCopy() {
    return density.copy();
  }

  /** The estimator's family and size. */
  public FlowConfig flowConfig() {
    return density.config();
  }

  public Prior prior() {
    return prior;
  }

  public int thetaDimension() {
    return density.thetaDimension();
  }

  public int xDimension() {
    return density.xDimension();
  }

  /**
   * Exactly {@code n} draws θ ~ q(θ | x_o) inside the prior's support, and the share of the flow's
   * draws that were inside.
   *
   * @throws IllegalStateException when fewer than {@value #MIN_ACCEPTANCE_RATE} of at least
   *     {@value #DRAWS_BEFORE_GIVING_UP} draws are inside the support
   */
  public synchronized PosteriorSamples sample(int n, float[] observation, long seed) {
    if (n < 1) {
      throw new IllegalArgumentException("n must be at least 1, got " + n);
    }
    checkObservation(observation);
    SplittableRandom rng = new SplittableRandom(seed);
    int d = thetaDimension();
    float[][] accepted = new float[n][];
    int kept = 0;
    long inside = 0;
    long drawn = 0;
    while (kept < n) {
      double rate = drawn == 0 ? 1 : (double) inside / drawn;
      if (drawn >= DRAWS_BEFORE_GIVING_UP && rate < MIN_ACCEPTANCE_RATE) {
        throw new IllegalStateException(
            String.format(
                "posterior acceptance rate %.2e (%d of %d draws inside the prior's support) is"
                    + " below %.0e: rejection sampling would take too long",
                rate, inside, drawn, MIN_ACCEPTANCE_RATE));
      }
      // Enough for the draws still missing at the rate seen so far, within one chunk.
      int batch =
          (int)
              Math.min(
                  ConditionalDensity.CHUNK,
                  Math.ceil((n - kept) / Math.max(rate, MIN_ACCEPTANCE_RATE)));
      float[] draws = density.sample(batch, observation, rng);
      for (int r = 0; r < batch; r++) {
        float[] theta = new float[d];
        System.arraycopy(draws, r * d, theta, 0, d);
        drawn++;
        if (prior.inSupport(theta)) {
          inside++;
          if (kept < n) {
            accepted[kept++] = theta;
          }
        }
      }
    }
    return new PosteriorSamples(accepted, (double) inside / drawn);
  }

  /**
   * log q(θ | x) of the flow for each row of θ, in the original θ space. Not truncated to the
   * prior's support nor renormalised for the mass outside it.
   */
  public synchronized double[] logProb(float[][] theta, float[] x) {
    checkObservation(x);
    int d = thetaDimension();
    float[] thetaRows = new float[theta.length * d];
    float[] xRows = new float[theta.length * x.length];
    for (int r = 0; r < theta.length; r++) {
      if (theta[r].length != d) {
        throw new IllegalArgumentException(
            "θ row " + r + " has " + theta[r].length + " values, expected " + d);
      }
      System.arraycopy(theta[r], 0, thetaRows, r * d, d);
      System.arraycopy(x, 0, xRows, r * x.length, x.length);
    }
    return density.logProb(thetaRows, xRows, theta.length);
  }

  private void checkObservation(float[] x) {
    if (x.length != xDimension()) {
      throw new IllegalArgumentException(
          "the observation has " + x.length + " values, expected " + xDimension());
    }
  }

  @Override
  public synchronized void close() {
    density.close();
  }
}

package org.streamsbi.trainer;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.Optional;
import java.util.SplittableRandom;
import org.streamsbi.core.prior.Prior;

/**
 * A trained neural posterior estimate q(θ | x) for a prior, as sbi's DirectPosterior: draws are
 * restricted to the prior's support by rejection, or by sampling-importance-resampling when the
 * flow leaks too much of its mass out of the support. It owns the native memory of the flow:
 * close it when done. Safe to call from several threads (calls run one at a time).
 */
public final class Posterior implements AutoCloseable {
  /** Below this share of draws inside the support, sampling would take too long to wait for. */
  static final double MIN_ACCEPTANCE_RATE = 1e-3;
  /** Draws to make before judging the acceptance rate. */
  static final long DRAWS_BEFORE_GIVING_UP = 100_000;
  /** Prior draws per posterior draw when resampling, as sbi's SIR oversampling factor. */
  static final int SIR_OVERSAMPLING = 32;
  /** Posterior draws whose log-density starts the MAP search, and how many best ones ascend. */
  private static final int MAP_DRAWS = 1_000;
  private static final int MAP_STARTS = 10;
  private static final int MAP_ITERATIONS = 500;
  /**
   * Tags a file that starts with its prior; earlier files start with the estimator's own tag,
   * which differs from this one.
   */
  private static final int FORMAT = 0x5342_5031;

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

  /**
   * Reads a posterior written by {@link #save} under the prior it records.
   *
   * @throws IllegalArgumentException when the file records no prior: one saved before priors were
   *     recorded, or trained under a prior of no kind a run file names; load it with {@link
   *     #load(InputStream, Prior)}
   */
  public static Posterior load(InputStream in) throws IOException {
    DataInputStream data = new DataInputStream(new BufferedInputStream(in));
    Prior prior = recorded(data).orElseThrow(
        () -> new IllegalArgumentException(
            "the file records no prior (saved by an earlier version, or under a prior of no kind a"
                + " run file names): give the prior it was trained under"));
    return withDensity(data, prior);
  }

  /**
   * Reads a posterior written by {@link #save}, or by a version that did not record the prior,
   * and samples it under {@code prior} whatever the file records.
   */
  public static Posterior load(InputStream in, Prior prior) throws IOException {
    DataInputStream data = new DataInputStream(new BufferedInputStream(in));
    recorded(data);
    return withDensity(data, prior);
  }

  /** The prior a file written by {@link #save} records; empty for files that record none. */
  public static Optional<Prior> recordedPrior(InputStream in) throws IOException {
    return recorded(new DataInputStream(new BufferedInputStream(in)));
  }

  /** Reads the prior section, when the file has one, leaving {@code data} at the estimator. */
  private static Optional<Prior> recorded(DataInputStream data) throws IOException {
    data.mark(Integer.BYTES);
    if (data.readInt() == FORMAT) {
      return SavedPrior.read(data);
    }
    data.reset();
    return Optional.empty();
  }

  private static Posterior withDensity(DataInputStream data, Prior prior) throws IOException {
    ConditionalDensity density = ConditionalDensity.read(data);
    try {
      return new Posterior(density, prior);
    } catch (RuntimeException e) {
      density.close();
      throw e;
    }
  }

  /**
   * Writes the prior, the estimator's configuration, its z-scoring (with the logit transform and
   * the widths of θ and x it was trained on) and its parameters.
   */
  public synchronized void save(OutputStream out) throws IOException {
    DataOutputStream data = new DataOutputStream(out);
    data.writeInt(FORMAT);
    SavedPrior.write(data, prior);
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
   * draws that were inside. When fewer than {@value #MIN_ACCEPTANCE_RATE} of at least
   * {@value #DRAWS_BEFORE_GIVING_UP} draws are inside, rejection would take too long: the draws
   * then come from sampling-importance-resampling, {@value #SIR_OVERSAMPLING} × n prior draws
   * weighted by q(θ | x_o) / p(θ).
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
        return importanceResampled(n, observation, rng, rate);
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
    return new PosteriorSamples(
        accepted, (double) inside / drawn, PosteriorSamples.Method.REJECTION, n);
  }

  private PosteriorSamples importanceResampled(
      int n, float[] observation, SplittableRandom rng, double acceptanceRate) {
    int proposals = (int) Math.min(Integer.MAX_VALUE - 8, (long) SIR_OVERSAMPLING * n);
    float[][] theta = new float[proposals][];
    for (int i = 0; i < proposals; i++) {
      theta[i] = prior.sample(rng);
    }
    double[] logWeights = logProb(theta, observation);
    double max = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < proposals; i++) {
      logWeights[i] -= prior.logProb(theta[i]);
      if (Double.isNaN(logWeights[i])) {
        logWeights[i] = Double.NEGATIVE_INFINITY;
      }
      max = Math.max(max, logWeights[i]);
    }
    if (max == Double.NEGATIVE_INFINITY) {
      throw new IllegalStateException(
          "sampling-importance-resampling found no prior draw the posterior gives a density to");
    }
    double[] cumulative = new double[proposals];
    double sum = 0;
    double sumOfSquares = 0;
    for (int i = 0; i < proposals; i++) {
      double w = Math.exp(logWeights[i] - max);
      sum += w;
      sumOfSquares += w * w;
      cumulative[i] = sum;
    }
    float[][] draws = new float[n][];
    for (int r = 0; r < n; r++) {
      int k = Arrays.binarySearch(cumulative, rng.nextDouble() * sum);
      int index = k >= 0 ? k : -k - 1;
      draws[r] = theta[Math.min(index, proposals - 1)].clone();
    }
    return new PosteriorSamples(
        draws,
        acceptanceRate,
        PosteriorSamples.Method.SAMPLING_IMPORTANCE_RESAMPLING,
        sum * sum / sumOfSquares);
  }

  /**
   * The maximum a posteriori estimate argmax q(θ | x_o) inside the prior's support, as sbi's
   * {@code map()}: the best {@value #MAP_STARTS} of {@value #MAP_DRAWS} posterior draws climb
   * log q by gradient ascent (autograd through the flow, in the z-scored space; moves are judged
   * with the logit transform's log-determinant, so the maximum is θ's, not logit θ's), with a step
   * that grows after an improving move and halves after any other, and the best end point wins.
   */
  public synchronized float[] map(float[] observation, long seed) {
    checkObservation(observation);
    float[][] draws = sample(MAP_DRAWS, observation, seed).theta();
    double[] logQ = logProb(draws, observation);
    Integer[] order = new Integer[draws.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> Double.compare(logQ[b], logQ[a]));
    int starts = Math.min(MAP_STARTS, draws.length);
    int d = thetaDimension();
    Standardization standardization = density.standardization();
    float[] z = new float[starts * d];
    for (int k = 0; k < starts; k++) {
      System.arraycopy(standardization.theta(draws[order[k]]), 0, z, k * d, d);
    }
    float[] context = new float[starts * observation.length];
    float[] xZ = standardization.x(observation);
    for (int k = 0; k < starts; k++) {
      System.arraycopy(xZ, 0, context, k * xZ.length, xZ.length);
    }
    float[] row = new float[d];
    float[][] current = logProbAndGradient(z, context, starts);
    for (int k = 0; k < starts; k++) {
      standardization.unstandardizeTheta(z, k * d, row);
      current[0][k] += (float) standardization.logitLogDeterminant(row, 0);
    }
    double[] step = new double[starts];
    Arrays.fill(step, 0.1);
    for (int iteration = 0; iteration < MAP_ITERATIONS; iteration++) {
      float[] proposed = z.clone();
      for (int k = 0; k < starts; k++) {
        double norm = 0;
        for (int j = 0; j < d; j++) {
          norm += current[1][k * d + j] * (double) current[1][k * d + j];
        }
        double scale = step[k] / Math.max(Math.sqrt(norm), 1e-12);
        for (int j = 0; j < d; j++) {
          proposed[k * d + j] += (float) (scale * current[1][k * d + j]);
        }
      }
      float[][] next = logProbAndGradient(proposed, context, starts);
      for (int k = 0; k < starts; k++) {
        standardization.unstandardizeTheta(proposed, k * d, row);
        next[0][k] += (float) standardization.logitLogDeterminant(row, 0);
        if (next[0][k] > current[0][k] && prior.inSupport(row)) {
          System.arraycopy(proposed, k * d, z, k * d, d);
          current[0][k] = next[0][k];
          System.arraycopy(next[1], k * d, current[1], k * d, d);
          step[k] *= 1.5;
        } else {
          step[k] *= 0.5;
        }
      }
    }
    int best = 0;
    for (int k = 1; k < starts; k++) {
      if (current[0][k] > current[0][best]) {
        best = k;
      }
    }
    float[] map = new float[d];
    standardization.unstandardizeTheta(z, best * d, map);
    return map;
  }

  /** log q(z | c) of the flow per row, and its gradient in z, for z-scored rows. */
  private float[][] logProbAndGradient(float[] z, float[] context, int rows) {
    int d = thetaDimension();
    synchronized (Djl.AUTOGRAD) {
      try (NDManager manager = density.model().getNDManager().newSubManager()) {
        NDArray theta = manager.create(z, new Shape(rows, d));
        theta.setRequiresGradient(true);
        NDArray c = manager.create(context, new Shape(rows, context.length / rows));
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
          NDArray logQ = density.estimator().logProb(theta, c, Parameter::getArray);
          collector.backward(logQ.sum());
          return new float[][] {logQ.toFloatArray(), theta.getGradient().toFloatArray()};
        }
      }
    }
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

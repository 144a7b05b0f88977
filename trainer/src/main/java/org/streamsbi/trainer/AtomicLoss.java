package org.streamsbi.trainer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.loss.Loss;
import java.util.random.RandomGenerator;
import org.streamsbi.buffer.Minibatch;
import org.streamsbi.core.prior.Prior;

/**
 * SNPE-C's atomic loss (APT, Greenberg et al. 2019), as sbi's {@code _loss_proposal_posterior}:
 * row i is scored among A atoms, its own θ_i and A − 1 other θ of the batch, by the logits
 * log q(θ_j | x_i) − log p(θ_j); loss_i = −(logit_ii − logsumexp_j logit_ij). Trained on θ from
 * any proposal, q converges to the posterior under the prior, not under the proposal.
 *
 * <p>The estimator gives log q in its own space (logit-mapped, z-scored θ). The z-scoring's log
 * scale is the same for every atom and cancels in the softmax; the logit transform's
 * log-determinant depends on θ_j and does not, so each atom carries an offset
 * log |det ∂logit/∂θ_j| − log p(θ_j) that makes the logits those of the original θ space.
 */
final class AtomicLoss extends Loss {
  private final int atoms;

  /** @param atoms atoms per row, the row's own θ included (sbi: 10) */
  AtomicLoss(int atoms) {
    super("atomic");
    if (atoms < 2) {
      throw new IllegalArgumentException("atomic loss atoms must be at least 2, got " + atoms);
    }
    this.atoms = atoms;
  }

  int atoms() {
    return atoms;
  }

  /** The atoms of a batch of {@code rows}: as sbi, never more than the batch has rows. */
  int atomsFor(int rows) {
    return Math.min(atoms, rows);
  }

  /**
   * For each row i, atoms rows of the batch: i first, then {@code atoms − 1} distinct rows other
   * than i, uniformly as sbi's multinomial without replacement.
   */
  static int[] atomRows(int rows, int atoms, RandomGenerator rng) {
    int[] out = new int[rows * atoms];
    int[] others = new int[rows - 1];
    for (int i = 0; i < rows; i++) {
      for (int k = 0, r = 0; r < rows; r++) {
        if (r != i) {
          others[k++] = r;
        }
      }
      out[i * atoms] = i;
      // A partial Fisher–Yates shuffle: the first atoms − 1 entries become a uniform draw.
      for (int k = 0; k < atoms - 1; k++) {
        int pick = k + rng.nextInt(others.length - k);
        int swap = others[k];
        others[k] = others[pick];
        others[pick] = swap;
        out[i * atoms + 1 + k] = others[k];
      }
    }
    return out;
  }

  /**
   * The batch expanded to its atom pairs (θ_j, x_i), row i·A + k holding atom k of row i, with
   * each pair's offset, ready for the estimator in its own space.
   */
  static Pairs pairs(
      Minibatch batch, int[] atomRows, Standardization standardization, Prior prior) {
    int d = batch.thetaDimension();
    int dx = batch.xDimension();
    int atoms = atomRows.length / batch.size();
    float[] thetaZ = standardization.theta(batch.theta());
    float[] xZ = standardization.x(batch.x());
    double[] offsets = offsets(batch.theta(), batch.size(), standardization, prior);
    float[] pairTheta = new float[atomRows.length * d];
    float[] pairX = new float[atomRows.length * dx];
    float[] pairOffsets = new float[atomRows.length];
    for (int p = 0; p < atomRows.length; p++) {
      int j = atomRows[p];
      System.arraycopy(thetaZ, j * d, pairTheta, p * d, d);
      System.arraycopy(xZ, (p / atoms) * dx, pairX, p * dx, dx);
      pairOffsets[p] = (float) offsets[j];
    }
    return new Pairs(pairTheta, pairX, pairOffsets);
  }

  /** Row-major θ and x of the pairs in the estimator's space, and the per-pair offsets. */
  record Pairs(float[] theta, float[] x, float[] offsets) {}

  /** log |det ∂logit/∂θ| − log p(θ) per row of row-major θ. */
  private static double[] offsets(
      float[] theta, int rows, Standardization standardization, Prior prior) {
    int d = theta.length / rows;
    double[] out = new double[rows];
    float[] row = new float[d];
    for (int r = 0; r < rows; r++) {
      System.arraycopy(theta, r * d, row, 0, d);
      out[r] = standardization.logitLogDeterminant(theta, r) - prior.logProb(row);
    }
    return out;
  }

  /**
   * The mean loss over the batch.
   *
   * @param labels the pairs' offsets, shaped (rows, atoms)
   * @param predictions the estimator's log q of the pairs, one per pair in row-major order
   */
  @Override
  public NDArray evaluate(NDList labels, NDList predictions) {
    return rowLosses(labels, predictions).mean();
  }

  /** loss_i per row of the batch, arguments as {@link #evaluate}. */
  NDArray rowLosses(NDList labels, NDList predictions) {
    NDArray offsets = labels.singletonOrThrow();
    NDArray logits = predictions.singletonOrThrow().reshape(offsets.getShape()).add(offsets);
    return logits.logSoftmax(1).get(":, 0").neg();
  }

  /**
   * The mean loss of a set of rows in double precision, from log q in the original θ space
   * (validation): batches of {@code batchSize} rows, each with its own atoms as in training.
   */
  double meanLoss(
      ConditionalDensity density, Minibatch rows, Prior prior, int batchSize, RandomGenerator rng) {
    int d = rows.thetaDimension();
    int dx = rows.xDimension();
    double sum = 0;
    for (int start = 0; start < rows.size(); start += batchSize) {
      int n = Math.min(batchSize, rows.size() - start);
      int a = atomsFor(n);
      int[] atomRows = atomRows(n, a, rng);
      float[] theta = new float[n * a * d];
      float[] x = new float[n * a * dx];
      for (int p = 0; p < atomRows.length; p++) {
        System.arraycopy(rows.theta(), (start + atomRows[p]) * d, theta, p * d, d);
        System.arraycopy(rows.x(), (start + p / a) * dx, x, p * dx, dx);
      }
      double[] logQ = density.logProb(theta, x, atomRows.length);
      float[] atom = new float[d];
      for (int i = 0; i < n; i++) {
        double[] logits = new double[a];
        double max = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < a; k++) {
          int p = i * a + k;
          System.arraycopy(theta, p * d, atom, 0, d);
          logits[k] = logQ[p] - prior.logProb(atom);
          max = Math.max(max, logits[k]);
        }
        double exp = 0;
        for (double logit : logits) {
          exp += Math.exp(logit - max);
        }
        sum += max + Math.log(exp) - logits[0];
      }
    }
    return sum / rows.size();
  }
}

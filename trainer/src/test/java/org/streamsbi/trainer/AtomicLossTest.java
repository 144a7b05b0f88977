package org.streamsbi.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.streamsbi.buffer.Minibatch;
import org.streamsbi.core.prior.BoxUniform;
import org.streamsbi.core.prior.MultivariateNormal;
import org.streamsbi.core.prior.Prior;

/** SNPE-C's atomic loss against direct computations in double. */
class AtomicLossTest {

  private static double logNormal(double v, double mean, double sd) {
    double z = (v - mean) / sd;
    return -0.5 * z * z - Math.log(sd) - 0.5 * Math.log(2 * Math.PI);
  }

  private static double loss(NDManager manager, int rows, int atoms, double[] logQ, double[] offsets) {
    float[] q = new float[logQ.length];
    float[] o = new float[offsets.length];
    for (int i = 0; i < q.length; i++) {
      q[i] = (float) logQ[i];
      o[i] = (float) offsets[i];
    }
    NDArray labels = manager.create(o, new Shape(rows, atoms));
    return new AtomicLoss(atoms)
        .evaluate(new NDList(labels), new NDList(manager.create(q)))
        .getFloat();
  }

  @Test
  void atomsAreTheRowItselfThenDistinctOtherRowsDrawnUniformly() {
    SplittableRandom rng = new SplittableRandom(1);
    int[] rows = AtomicLoss.atomRows(6, 4, rng);
    assertEquals(24, rows.length);
    for (int i = 0; i < 6; i++) {
      assertEquals(i, rows[i * 4]);
      Set<Integer> others = new HashSet<>();
      for (int k = 1; k < 4; k++) {
        int r = rows[i * 4 + k];
        assertTrue(r >= 0 && r < 6 && r != i, "atom " + r + " of row " + i);
        others.add(r);
      }
      assertEquals(3, others.size(), "distinct atoms of row " + i);
    }
    // Row 0 of 4 with one other atom: rows 1, 2 and 3 a third of the time each.
    int[] counts = new int[4];
    for (int t = 0; t < 30_000; t++) {
      counts[AtomicLoss.atomRows(4, 2, rng)[1]]++;
    }
    assertEquals(0, counts[0]);
    for (int r = 1; r < 4; r++) {
      assertEquals(1.0 / 3, counts[r] / 30_000.0, 0.015, "share of row " + r);
    }
  }

  @Test
  void atomsAreValidated() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new AtomicLoss(1));
    assertTrue(e.getMessage().startsWith("atomic loss atoms must be at least 2"), e.getMessage());
    assertEquals(3, new AtomicLoss(10).atomsFor(3));
  }

  /**
   * Three rows, q(θ | x) = N(θ; x, 1), prior N(0, 2²), every row an atom of every other: loss_i =
   * −log softmax_j(log q(θ_j | x_i) − log p(θ_j))_i, by hand.
   */
  @Test
  void matchesAHandComputation() {
    double[] theta = {0.5, -1.0, 2.0};
    double[] x = {0.3, -0.2, 1.5};
    int[][] atoms = {{0, 1, 2}, {1, 2, 0}, {2, 0, 1}};
    double[] logQ = new double[9];
    double[] offsets = new double[9];
    double expected = 0;
    for (int i = 0; i < 3; i++) {
      double[] logits = new double[3];
      for (int k = 0; k < 3; k++) {
        int j = atoms[i][k];
        logQ[i * 3 + k] = logNormal(theta[j], x[i], 1);
        offsets[i * 3 + k] = -logNormal(theta[j], 0, 2);
        logits[k] = logQ[i * 3 + k] + offsets[i * 3 + k];
      }
      expected -= logits[0] - Math.log(Math.exp(logits[0]) + Math.exp(logits[1]) + Math.exp(logits[2]));
    }
    expected /= 3;
    // Two atoms: row 0 against row 2 only.
    double l00 = logNormal(0.5, 0.3, 1) - logNormal(0.5, 0, 2);
    double l02 = logNormal(2.0, 0.3, 1) - logNormal(2.0, 0, 2);
    double twoAtoms = -(l00 - Math.log(Math.exp(l00) + Math.exp(l02)));
    try (NDManager manager = NDManager.newBaseManager(Djl.device())) {
      assertEquals(expected, loss(manager, 3, 3, logQ, offsets), 1e-5);
      assertEquals(
          twoAtoms,
          loss(
              manager, 1, 2,
              new double[] {logNormal(0.5, 0.3, 1), logNormal(2.0, 0.3, 1)},
              new double[] {-logNormal(0.5, 0, 2), -logNormal(2.0, 0, 2)}),
          1e-5);
    }
  }

  /**
   * What training evaluates (the estimator in its own space on the expanded pairs, plus the
   * offsets) equals the loss from log q in the original θ space, as validation computes it, with
   * the logit transform's θ-dependent Jacobian and with a prior whose density varies.
   */
  @Test
  void theTrainingGraphGivesTheLossOfTheOriginalSpace() {
    BoxUniform box = new BoxUniform(new double[] {-1, 0}, new double[] {2, 5});
    Prior normal = new MultivariateNormal(new double[] {0.5, 1}, new double[][] {{1, 0.3}, {0.3, 2}});
    checkGraphAgainstOriginalSpace(box, new FlowConfig(Estimator.NSF, 2, 16).withLogitTransform(true));
    checkGraphAgainstOriginalSpace(normal, new FlowConfig(Estimator.MAF, 2, 16));
  }

  private static void checkGraphAgainstOriginalSpace(Prior prior, FlowConfig config) {
    SplittableRandom rng = new SplittableRandom(5);
    int n = 40;
    float[] theta = new float[n * 2];
    float[] x = new float[n];
    for (int r = 0; r < n; r++) {
      float[] t = prior.sample(rng);
      theta[2 * r] = t[0];
      theta[2 * r + 1] = t[1];
      x[r] = (float) (t[0] * t[1] + 0.3 * rng.nextGaussian());
    }
    Minibatch batch = new Minibatch(n, 2, 1, theta, x, new long[n], new int[n]);
    AtomicLoss loss = new AtomicLoss(5);
    try (ConditionalDensity density = ConditionalDensity.untrained(config, batch, prior)) {
      RandomFlows.randomize(density.estimator(), density.model().getNDManager(), 7);
      double original = loss.meanLoss(density, batch, prior, n, new SplittableRandom(9));
      AtomicLoss.Pairs pairs =
          AtomicLoss.pairs(
              batch, AtomicLoss.atomRows(n, 5, new SplittableRandom(9)), density.standardization(), prior);
      double graph;
      try (NDManager manager = density.model().getNDManager().newSubManager()) {
        NDArray logQ =
            density
                .estimator()
                .logProb(
                    manager.create(pairs.theta(), new Shape(n * 5, 2)),
                    manager.create(pairs.x(), new Shape(n * 5, 1)),
                    Parameter::getArray);
        graph =
            loss.evaluate(
                    new NDList(manager.create(pairs.offsets(), new Shape(n, 5))), new NDList(logQ))
                .getFloat();
      }
      assertEquals(original, graph, 1e-4 * Math.max(1, Math.abs(original)), config.toString());
      // Not a trivial agreement: the loss of a random flow is not log A.
      assertNotEquals(Math.log(5), original, 0.05);
    }
  }

  /**
   * θ ~ N(0, 1), x | θ ~ N(θ, 0.5²), θ proposed from the prior: over the family q = N(a·x, s²) the
   * atomic loss is smallest at the true posterior, a = 0.8 and s = √0.2.
   */
  @Test
  void withTheProposalEqualToThePriorTheMinimiserIsThePosterior() {
    int n = 4_000;
    int atoms = 10;
    SplittableRandom rng = new SplittableRandom(11);
    double[] theta = new double[n];
    double[] x = new double[n];
    for (int i = 0; i < n; i++) {
      theta[i] = rng.nextGaussian();
      x[i] = theta[i] + 0.5 * rng.nextGaussian();
    }
    int[] atomRows = AtomicLoss.atomRows(n, atoms, rng);
    double[] offsets = new double[n * atoms];
    for (int p = 0; p < offsets.length; p++) {
      offsets[p] = -logNormal(theta[atomRows[p]], 0, 1);
    }
    double bestLoss = Double.POSITIVE_INFINITY;
    double bestA = Double.NaN;
    double bestS = Double.NaN;
    try (NDManager manager = NDManager.newBaseManager(Djl.device())) {
      for (double a = 0.5; a <= 1.1001; a += 0.025) {
        for (double s = 0.25; s <= 0.7001; s += 0.025) {
          double[] logQ = new double[n * atoms];
          for (int p = 0; p < logQ.length; p++) {
            logQ[p] = logNormal(theta[atomRows[p]], a * x[p / atoms], s);
          }
          try (NDManager step = manager.newSubManager()) {
            double l = loss(step, n, atoms, logQ, offsets);
            if (l < bestLoss) {
              bestLoss = l;
              bestA = a;
              bestS = s;
            }
          }
        }
      }
    }
    assertEquals(0.8, bestA, 0.05, "posterior mean coefficient");
    assertEquals(Math.sqrt(0.2), bestS, 0.05, "posterior sd");
  }
}

package org.streamsbi.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import java.util.SplittableRandom;

/** Flows with random parameters, and numeric checks of densities, for the algebra and posterior tests. */
final class RandomFlows {
  private RandomFlows() {}

  /** Initialises the flow and draws every parameter from U(−0.5, 0.5), so no layer is the identity. */
  static <F extends ConditionalEstimator> F randomize(F flow, NDManager manager, long seed) {
    flow.initialize(
        manager,
        DataType.FLOAT32,
        new Shape(1, flow.thetaDimension()),
        new Shape(1, flow.contextDimension()));
    SplittableRandom rng = new SplittableRandom(seed);
    for (Parameter p : flow.getParameters().values()) {
      float[] values = new float[(int) p.getArray().size()];
      for (int i = 0; i < values.length; i++) {
        values[i] = (float) (rng.nextDouble() - 0.5);
      }
      p.getArray().set(values);
    }
    return flow;
  }

  /**
   * ∫ q(θ | x) dθ by the midpoint rule on a grid of {@code side} points per axis over [−half,
   * half] in every θ dimension (1 or 2), with every x value set to {@code context}.
   */
  static double mass(
      ConditionalEstimator flow, NDManager manager, double half, int side, float context) {
    return moments(flow, manager, half, side, context)[0];
  }

  /**
   * By the midpoint rule on a grid of {@code side} points per axis over [−half, half] in every θ
   * dimension (1 or 2), with every x value set to {@code context}: ∫ q(θ | x) dθ in 1-D; in 2-D
   * the mass, then the mean (2) and covariance (var 0, cov 01, var 1) of the normalised density.
   */
  static double[] moments(
      ConditionalEstimator flow, NDManager manager, double half, int side, float context) {
    int d = flow.thetaDimension();
    if (d > 2) {
      throw new IllegalArgumentException("a grid over " + d + " dimensions is too large");
    }
    int points = (int) Math.pow(side, d);
    double step = 2 * half / side;
    float[] grid = new float[points * d];
    for (int p = 0; p < points; p++) {
      int rest = p;
      for (int j = d - 1; j >= 0; j--) {
        grid[p * d + j] = (float) (-half + (rest % side + 0.5) * step);
        rest /= side;
      }
    }
    NDArray theta = manager.create(grid, new Shape(points, d));
    NDArray x = manager.full(new Shape(points, flow.contextDimension()), context);
    double cell = Math.pow(step, d);
    float[] logQ = flow.logProb(theta, x, Parameter::getArray).toFloatArray();
    double[] weights = new double[points];
    double mass = 0;
    for (int p = 0; p < points; p++) {
      weights[p] = Math.exp(logQ[p]) * cell;
      mass += weights[p];
    }
    if (d == 1) {
      return new double[] {mass};
    }
    double[] weighted = new double[5];
    for (int p = 0; p < points; p++) {
      double w = weights[p] / mass;
      double a = grid[2 * p];
      double b = grid[2 * p + 1];
      weighted[0] += w * a;
      weighted[1] += w * b;
      weighted[2] += w * a * a;
      weighted[3] += w * a * b;
      weighted[4] += w * b * b;
    }
    return new double[] {
      mass,
      weighted[0],
      weighted[1],
      weighted[2] - weighted[0] * weighted[0],
      weighted[3] - weighted[0] * weighted[1],
      weighted[4] - weighted[1] * weighted[1]
    };
  }

  /**
   * Checks that 40,000 draws at x = 0.7 of a 2-D estimator have the mean and covariance its log q
   * gives on a grid, and returns those: mass, mean (2), var 0, cov 01, var 1.
   */
  static double[] assertDrawsHaveTheDensitysMoments(ConditionalEstimator estimator, NDManager manager) {
    double[] fromDensity = moments(estimator, manager, 20, 500, 0.7f);
    int n = 40_000;
    float[] draws =
        estimator
            .sample(manager.full(new Shape(n, 1), 0.7f), new SplittableRandom(3), Parameter::getArray)
            .toFloatArray();
    double[] fromDraws = moments(draws, n);
    String[] names = {"mean 0", "mean 1", "var 0", "cov 01", "var 1"};
    double spread = Math.max(fromDensity[3], fromDensity[5]);
    for (int i = 0; i < names.length; i++) {
      // Five standard errors for the means; 5% of the larger variance for the second moments.
      double tolerance = i < 2 ? 5 * Math.sqrt(fromDensity[3 + 2 * i] / n) : 0.05 * spread;
      assertEquals(fromDensity[1 + i], fromDraws[i], tolerance, names[i]);
    }
    return fromDensity;
  }

  /** Mean (2) and covariance (var 0, cov 01, var 1) of {@code n} row-major 2-D draws. */
  static double[] moments(float[] draws, int n) {
    double[] sum = new double[5];
    for (int r = 0; r < n; r++) {
      double a = draws[2 * r];
      double b = draws[2 * r + 1];
      sum[0] += a;
      sum[1] += b;
      sum[2] += a * a;
      sum[3] += a * b;
      sum[4] += b * b;
    }
    for (int i = 0; i < 5; i++) {
      sum[i] /= n;
    }
    return new double[] {
      sum[0], sum[1], sum[2] - sum[0] * sum[0], sum[3] - sum[0] * sum[1], sum[4] - sum[1] * sum[1]
    };
  }

  /**
   * No point 0.01 from {@code map} in eight directions of the first two coordinates is more
   * probable under the posterior than it; returns log q there.
   */
  static double assertIsTheFlowsMode(Posterior posterior, float[] map, float[] x) {
    double atMap = posterior.logProb(new float[][] {map}, x)[0];
    float[][] neighbours = new float[8][];
    for (int k = 0; k < 8; k++) {
      double angle = k * Math.PI / 4;
      neighbours[k] = map.clone();
      neighbours[k][0] += (float) (0.01 * Math.cos(angle));
      neighbours[k][1] += (float) (0.01 * Math.sin(angle));
    }
    for (double logQ : posterior.logProb(neighbours, x)) {
      assertTrue(logQ <= atMap + 1e-5, "a neighbour has " + logQ + " > " + atMap);
    }
    return atMap;
  }
}

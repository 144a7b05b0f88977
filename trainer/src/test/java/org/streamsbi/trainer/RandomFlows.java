package org.streamsbi.trainer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import java.util.SplittableRandom;

/** Flows with random parameters, and numeric checks of their density, for the algebra tests. */
final class RandomFlows {
  private RandomFlows() {}

  /** Initialises the flow and draws every parameter from U(−0.5, 0.5), so no layer is the identity. */
  static <F extends ConditionalFlow> F randomize(F flow, NDManager manager, long seed) {
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
  static double mass(ConditionalFlow flow, NDManager manager, double half, int side, float context) {
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
    double mass = 0;
    for (float logQ : flow.logProb(theta, x, Parameter::getArray).toFloatArray()) {
      mass += Math.exp(logQ) * cell;
    }
    return mass;
  }
}

package org.streamsbi.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The flow's algebra on random parameters, independent of training. */
class MaskedAutoregressiveFlowTest {

  /** A flow whose every parameter is random, so no layer is close to the identity. */
  private static MaskedAutoregressiveFlow randomFlow(
      NDManager manager, int thetaDimension, int contextDimension, long seed) {
    MaskedAutoregressiveFlow flow =
        new MaskedAutoregressiveFlow(new FlowConfig(3, 16), thetaDimension, contextDimension);
    flow.initialize(
        manager,
        DataType.FLOAT32,
        new Shape(1, thetaDimension),
        new Shape(1, contextDimension));
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

  private static NDArray gaussian(NDManager manager, int rows, int cols, SplittableRandom rng) {
    float[] values = new float[rows * cols];
    for (int i = 0; i < values.length; i++) {
      values[i] = (float) rng.nextGaussian();
    }
    return manager.create(values, new Shape(rows, cols));
  }

  /**
   * The inverse recovers θ in D passes per layer only if output d depends on inputs before d
   * alone: this checks the masks and the reversal between layers.
   */
  @Test
  void inverseUndoesTheForwardMap() {
    for (int d : new int[] {1, 2, 5}) {
      try (NDManager manager = NDManager.newBaseManager()) {
        MaskedAutoregressiveFlow flow = randomFlow(manager, d, 3, d);
        SplittableRandom rng = new SplittableRandom(d);
        NDArray theta = gaussian(manager, 64, d, rng);
        NDArray context = gaussian(manager, 64, 3, rng);
        NDArray noise = flow.toNoise(theta, context, Parameter::getArray, new NDList());
        float[] back = flow.inverse(noise, context, Parameter::getArray).toFloatArray();
        float[] expected = theta.toFloatArray();
        for (int i = 0; i < expected.length; i++) {
          assertEquals(expected[i], back[i], 1e-3, "D=" + d + ", value " + i);
        }
      }
    }
  }

  /** ∫ q(θ | x) dθ = 1 on a fine grid: the log-determinant and base density are right. */
  @Test
  void densityIntegratesToOne() {
    try (NDManager manager = NDManager.newBaseManager()) {
      MaskedAutoregressiveFlow flow = randomFlow(manager, 2, 1, 11);
      int side = 400;
      double low = -10;
      double step = 20.0 / side;
      float[] grid = new float[side * side * 2];
      for (int i = 0; i < side; i++) {
        for (int j = 0; j < side; j++) {
          grid[2 * (i * side + j)] = (float) (low + (i + 0.5) * step);
          grid[2 * (i * side + j) + 1] = (float) (low + (j + 0.5) * step);
        }
      }
      NDArray theta = manager.create(grid, new Shape(side * side, 2));
      NDArray context = manager.full(new Shape(side * side, 1), 0.7f);
      double mass = 0;
      for (float logQ : flow.logProb(theta, context, Parameter::getArray).toFloatArray()) {
        mass += Math.exp(logQ) * step * step;
      }
      assertEquals(1.0, mass, 0.01);
    }
  }
}

package org.streamsbi.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The flow's algebra on random parameters, independent of training. */
class MaskedAutoregressiveFlowTest {

  /** A flow whose every parameter is random, so no layer is close to the identity. */
  private static MaskedAutoregressiveFlow randomFlow(
      NDManager manager, int thetaDimension, int contextDimension, long seed) {
    return RandomFlows.randomize(
        new MaskedAutoregressiveFlow(new FlowConfig(3, 16), thetaDimension, contextDimension),
        manager,
        seed);
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
      assertEquals(1.0, RandomFlows.mass(flow, manager, 10, 400, 0.7f), 0.01);
    }
  }
}

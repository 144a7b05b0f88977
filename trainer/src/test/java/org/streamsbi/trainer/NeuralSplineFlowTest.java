package org.streamsbi.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The spline flow's algebra on random parameters, independent of training. */
class NeuralSplineFlowTest {

  /** A flow whose every parameter is random, so no spline is close to the identity. */
  private static NeuralSplineFlow randomFlow(
      NDManager manager, int thetaDimension, int contextDimension, long seed) {
    return RandomFlows.randomize(
        new NeuralSplineFlow(new FlowConfig(Estimator.NSF, 3, 16), thetaDimension, contextDimension),
        manager,
        seed);
  }

  /** Wide enough that some values fall in the linear tails beyond ±3. */
  private static NDArray spread(NDManager manager, int rows, int cols, SplittableRandom rng) {
    float[] values = new float[rows * cols];
    for (int i = 0; i < values.length; i++) {
      values[i] = (float) (2 * rng.nextGaussian());
    }
    return manager.create(values, new Shape(rows, cols));
  }

  /** Checks the coupling masks, the conditioner's inputs and the quadratic root. */
  @Test
  void inverseUndoesTheForwardMap() {
    for (int d : new int[] {1, 2, 5}) {
      try (NDManager manager = NDManager.newBaseManager()) {
        NeuralSplineFlow flow = randomFlow(manager, d, 3, d);
        SplittableRandom rng = new SplittableRandom(d);
        NDArray theta = spread(manager, 256, d, rng);
        NDArray context = spread(manager, 256, 3, rng);
        NDList forward = flow.toNoise(theta, context, Parameter::getArray);
        NDArray noise = forward.get(0);
        float[] logDet = forward.get(1).toFloatArray();
        float[] moved = noise.toFloatArray();
        float[] expected = theta.toFloatArray();
        double displacement = 0;
        for (int i = 0; i < expected.length; i++) {
          displacement += Math.abs(moved[i] - expected[i]) / expected.length;
        }
        float[] back = flow.inverse(noise, context, Parameter::getArray).toFloatArray();
        for (int i = 0; i < expected.length; i++) {
          // Where the map flattens θ, float rounding in z is magnified by |dθ/dz| on the way back.
          double tolerance = 1e-3 * Math.max(1, Math.exp(-logDet[i / d]));
          assertEquals(expected[i], back[i], tolerance, "D=" + d + ", value " + i);
        }
        assertTrue(displacement > 0.05, "the flow barely moves θ: " + displacement);
      }
    }
  }

  /** ∫ q(θ | x) dθ = 1: the splines' log-determinants and the tails are right. */
  @Test
  void oneDimensionalDensityIntegratesToOne() {
    try (NDManager manager = NDManager.newBaseManager()) {
      NeuralSplineFlow flow = randomFlow(manager, 1, 2, 21);
      assertEquals(1.0, RandomFlows.mass(flow, manager, 20, 40_000, -0.4f), 1e-3);
    }
  }

  @Test
  void twoDimensionalDensityIntegratesToOne() {
    try (NDManager manager = NDManager.newBaseManager()) {
      NeuralSplineFlow flow = randomFlow(manager, 2, 1, 11);
      assertEquals(1.0, RandomFlows.mass(flow, manager, 10, 400, 0.7f), 0.01);
    }
  }
}

package org.streamsbi.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The spline flow's algebra on random parameters, independent of training. */
class NeuralSplineFlowTest {

  /** A flow whose every parameter is random, so no spline is close to the identity. */
  private static NeuralSplineFlow randomFlow(
      NDManager manager, int thetaDimension, int contextDimension, long seed) {
    NeuralSplineFlow flow =
        new NeuralSplineFlow(
            new FlowConfig(Estimator.NSF, 3, 16), thetaDimension, contextDimension);
    flow.initialize(
        manager, DataType.FLOAT32, new Shape(1, thetaDimension), new Shape(1, contextDimension));
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
      int points = 40_000;
      double low = -20;
      double step = 40.0 / points;
      float[] grid = new float[points];
      for (int i = 0; i < points; i++) {
        grid[i] = (float) (low + (i + 0.5) * step);
      }
      NDArray theta = manager.create(grid, new Shape(points, 1));
      NDArray context = manager.full(new Shape(points, 2), -0.4f);
      double mass = 0;
      for (float logQ : flow.logProb(theta, context, Parameter::getArray).toFloatArray()) {
        mass += Math.exp(logQ) * step;
      }
      assertEquals(1.0, mass, 1e-3);
    }
  }

  @Test
  void twoDimensionalDensityIntegratesToOne() {
    try (NDManager manager = NDManager.newBaseManager()) {
      NeuralSplineFlow flow = randomFlow(manager, 2, 1, 11);
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

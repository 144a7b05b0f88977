package org.streamsbi.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RationalQuadraticSplineTest {
  private static final int P = RationalQuadraticSpline.PARAMETERS_PER_DIMENSION;

  /** One random spline applied to a grid from −5 on, tails included. */
  private static float[][] forwardOnGrid(int points, double step, long seed) {
    float[] parameters = new float[points * P];
    SplittableRandom rng = new SplittableRandom(seed);
    float[] one = new float[P];
    for (int k = 0; k < P; k++) {
      one[k] = (float) rng.nextGaussian();
    }
    float[] x = new float[points];
    for (int i = 0; i < points; i++) {
      x[i] = (float) (-5 + i * step);
      System.arraycopy(one, 0, parameters, i * P, P);
    }
    try (NDManager manager = NDManager.newBaseManager()) {
      NDList out =
          RationalQuadraticSpline.in(manager).forward(
              manager.create(x, new Shape(points, 1)),
              manager.create(parameters, new Shape(points, 1, P)));
      return new float[][] {x, out.get(0).toFloatArray(), out.get(1).toFloatArray()};
    }
  }

  /** y(x) = −3 + ∫ exp(log|dy/dx|) from −3 to x: the log-derivative is the spline's. */
  @Test
  void isMonotonicWithTheStatedLogDerivativeAndLinearTails() {
    double step = 1e-4;
    float[][] grid = forwardOnGrid(100_001, step, 3);
    float[] x = grid[0];
    float[] y = grid[1];
    float[] logDet = grid[2];
    double integral = -3;
    for (int i = 1; i < x.length; i++) {
      assertTrue(y[i] > y[i - 1], "not increasing at " + x[i]);
      if (Math.abs(x[i]) > 3 + step) {
        assertEquals(x[i], y[i], 1e-5, "tail at " + x[i]);
        assertEquals(0, logDet[i], 0);
      } else if (x[i - 1] >= -3 && x[i] <= 3) {
        integral += step * (Math.exp(logDet[i - 1]) + Math.exp(logDet[i])) / 2;
        assertEquals(integral, y[i], 1e-3, "at " + x[i]);
      }
    }
  }

  @Test
  void zeroParametersWithTheIdentityDerivativeAreTheIdentity() {
    int points = 7;
    float[] parameters = new float[points * P];
    for (int i = 0; i < points; i++) {
      for (int k = 2 * RationalQuadraticSpline.BINS; k < P; k++) {
        parameters[i * P + k] = RationalQuadraticSpline.IDENTITY_DERIVATIVE;
      }
    }
    float[] x = {-4f, -2.9f, -1f, 0f, 0.3f, 2.5f, 6f};
    try (NDManager manager = NDManager.newBaseManager()) {
      NDList out =
          RationalQuadraticSpline.in(manager).forward(
              manager.create(x, new Shape(points, 1)),
              manager.create(parameters, new Shape(points, 1, P)));
      float[] y = out.get(0).toFloatArray();
      float[] logDet = out.get(1).toFloatArray();
      for (int i = 0; i < points; i++) {
        assertEquals(x[i], y[i], 1e-5);
        assertEquals(0, logDet[i], 1e-5);
      }
    }
  }
}

package org.streamsbi.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RationalQuadraticSplineTest {
  private static final int P = RationalQuadraticSpline.PARAMETERS_PER_DIMENSION;

  /** One random spline's raw values, repeated for each of {@code points} inputs. */
  private static float[] sameSplineEverywhere(int points, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    float[] one = new float[P];
    for (int k = 0; k < P; k++) {
      one[k] = (float) rng.nextGaussian();
    }
    float[] parameters = new float[points * P];
    for (int i = 0; i < points; i++) {
      System.arraycopy(one, 0, parameters, i * P, P);
    }
    return parameters;
  }

  /** y and log|dy/dx| of the spline for each input, one spline (P raw values) each. */
  private static float[][] forward(float[] x, float[] parameters) {
    int points = x.length;
    try (NDManager manager = NDManager.newBaseManager()) {
      NDList out =
          RationalQuadraticSpline.forward(
              manager.create(x, new Shape(points, 1)),
              manager.create(parameters, new Shape(points, 1, P)));
      return new float[][] {out.get(0).toFloatArray(), out.get(1).toFloatArray()};
    }
  }

  /** One random spline applied to a grid from −5 on, tails included. */
  private static float[][] forwardOnGrid(int points, double step, long seed) {
    float[] parameters = sameSplineEverywhere(points, seed);
    float[] x = new float[points];
    for (int i = 0; i < points; i++) {
      x[i] = (float) (-5 + i * step);
    }
    float[][] out = forward(x, parameters);
    return new float[][] {x, out[0], out[1]};
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
    float[][] out = forward(x, parameters);
    for (int i = 0; i < points; i++) {
      assertEquals(x[i], out[0][i], 1e-5);
      assertEquals(0, out[1][i], 1e-5);
    }
  }

  /**
   * The gradient autograd takes through the spline, of a random weighting of y and log|dy/dx|,
   * against central differences of the values, for every raw value and the input of each point:
   * points in several bins, one of them at a small width, and one in a tail.
   */
  @Test
  void gradientsAreThoseOfTheValues() {
    int points = 6;
    SplittableRandom rng = new SplittableRandom(11);
    float[] parameters = new float[points * P];
    for (int k = 0; k < parameters.length; k++) {
      parameters[k] = (float) (1.5 * rng.nextGaussian());
    }
    parameters[2 * P + 4] = -6;
    float[] x = {-2.6f, -1.1f, -0.2f, 0.7f, 2.2f, 3.4f};
    float[] weights = new float[2 * points];
    for (int k = 0; k < weights.length; k++) {
      weights[k] = (float) rng.nextGaussian();
    }
    float[] parameterGradient;
    float[] inputGradient;
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray p = manager.create(parameters, new Shape(points, 1, P));
      NDArray in = manager.create(x, new Shape(points, 1));
      p.setRequiresGradient(true);
      in.setRequiresGradient(true);
      synchronized (Djl.AUTOGRAD) {
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
          NDList out = RationalQuadraticSpline.forward(in, p);
          collector.backward(weighted(out, manager.create(weights, new Shape(2, points))));
        }
      }
      parameterGradient = p.getGradient().toFloatArray();
      inputGradient = in.getGradient().toFloatArray();
    }
    double h = 1e-3;
    for (int k = 0; k < parameters.length; k++) {
      float[] plus = parameters.clone();
      float[] minus = parameters.clone();
      plus[k] += (float) h;
      minus[k] -= (float) h;
      double difference = (value(plus, x, weights) - value(minus, x, weights)) / (plus[k] - minus[k]);
      assertEquals(
          difference, parameterGradient[k], 2e-3 + 1e-2 * Math.abs(difference), "raw value " + k);
    }
    for (int i = 0; i < points; i++) {
      float[] plus = x.clone();
      float[] minus = x.clone();
      plus[i] += (float) h;
      minus[i] -= (float) h;
      double difference =
          (value(parameters, plus, weights) - value(parameters, minus, weights)) / (plus[i] - minus[i]);
      assertEquals(difference, inputGradient[i], 2e-3 + 1e-2 * Math.abs(difference), "input " + i);
    }
  }

  private static NDArray weighted(NDList out, NDArray weights) {
    NDList rows = weights.split(2, 0);
    return out.get(0).reshape(-1).mul(rows.get(0).reshape(-1))
        .add(out.get(1).reshape(-1).mul(rows.get(1).reshape(-1)))
        .sum();
  }

  /** The weighted sum of the outputs, computed in double from the float values. */
  private static double value(float[] parameters, float[] x, float[] weights) {
    float[][] out = forward(x, parameters);
    double sum = 0;
    for (int i = 0; i < x.length; i++) {
      sum += weights[i] * out[0][i] + weights[x.length + i] * out[1][i];
    }
    return sum;
  }

  /** The inverse undoes the forward map, and its log-derivative is the forward's negated. */
  @Test
  void inverseUndoesTheForwardMap() {
    float[][] grid = forwardOnGrid(2_001, 5e-3, 5);
    int points = grid[0].length;
    float[] parameters = sameSplineEverywhere(points, 5);
    try (NDManager manager = NDManager.newBaseManager()) {
      NDList back =
          RationalQuadraticSpline.inverse(
              manager.create(grid[1], new Shape(points, 1)),
              manager.create(parameters, new Shape(points, 1, P)));
      float[] x = back.get(0).toFloatArray();
      float[] logDet = back.get(1).toFloatArray();
      for (int i = 0; i < points; i++) {
        assertEquals(grid[0][i], x[i], 1e-4, "x at " + grid[0][i]);
        assertEquals(-grid[2][i], logDet[i], 1e-4, "log-derivative at " + grid[0][i]);
      }
    }
  }
}

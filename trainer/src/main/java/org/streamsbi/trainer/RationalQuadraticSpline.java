package org.streamsbi.trainer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * The monotonic rational-quadratic spline of Durkan et al. (2019), elementwise, as nflows'
 * {@code unconstrained_rational_quadratic_spline} with linear tails: {@value #BINS} bins on
 * [−{@value #TAIL_BOUND}, {@value #TAIL_BOUND}], the identity outside, and derivative 1 at both
 * ends so the two pieces join smoothly.
 *
 * <p>Each dimension takes {@value #PARAMETERS_PER_DIMENSION} unconstrained values: {@value #BINS}
 * widths, {@value #BINS} heights (softmax-normalised) and the {@code BINS − 1} interior
 * derivatives (softplus). Results land in the inputs' manager.
 *
 * <p>Each native operation costs microseconds at these sizes, once in the forward pass and again
 * in autograd's backward, and the bin search and the spline's formulas written as array
 * operations took some sixty of them per layer. So only exp runs natively; the search and the
 * formulas run here, value by value, in double. While autograd records, they also return each
 * output's partial derivatives g with respect to the raw values p and to the input x, and the
 * result is v + (e − e) with e = Σ g·p + g_x·x, the first-order expansion at the point, and the
 * second e constant: the values are exactly v, and the gradient autograd takes of e is the
 * spline's. Training needs no second derivatives.
 */
final class RationalQuadraticSpline {
  static final int BINS = 10;
  static final float TAIL_BOUND = 3f;
  static final int PARAMETERS_PER_DIMENSION = 3 * BINS - 1;
  private static final int P = PARAMETERS_PER_DIMENSION;
  /** Where the raw values of the heights and of the interior derivatives start. */
  private static final int HEIGHTS = BINS;
  private static final int DERIVATIVES = 2 * BINS;
  /** Smallest bin width and height, as a share of the interval (nflows: 1e-3). */
  private static final float MIN_BIN_SIZE = 1e-3f;
  private static final float MIN_DERIVATIVE = 1e-3f;
  /** What the softmax shares are scaled by, and the floor every bin gets on top. */
  private static final double SCALE = (1 - MIN_BIN_SIZE * BINS) * 2.0 * TAIL_BOUND;
  private static final double MINIMUM = 2.0 * TAIL_BOUND * MIN_BIN_SIZE;
  /**
   * softplus⁻¹(1 − floor), the raw derivative of slope exactly 1: with it for every derivative and
   * zero widths and heights the spline is the identity.
   */
  static final float IDENTITY_DERIVATIVE =
      (float) Math.log(Math.expm1(1 - MIN_DERIVATIVE));

  /**
   * Bound on the raw values before exp: e^±50 and sums of ten of them stay far inside float32. A
   * softmax only differs from the clamped one when a whole group of logits lies beyond it, and
   * softplus(v) only for v above it (a slope over 50). The gradient passes the clamp as the
   * identity's, so a raw value past it still learns.
   */
  private static final float RAW_BOUND = 50f;

  private RationalQuadraticSpline() {}

  /**
   * y = spline(x) and log|dy/dx| elementwise.
   *
   * @param inputs rows × D
   * @param parameters rows × D × {@value #PARAMETERS_PER_DIMENSION}, unconstrained
   */
  static NDList forward(NDArray inputs, NDArray parameters) {
    return apply(inputs, parameters, false);
  }

  /**
   * x = spline⁻¹(y) by the root of the bin's quadratic, and log|dx/dy| elementwise; without a
   * gradient, which draws do not need.
   */
  static NDList inverse(NDArray inputs, NDArray parameters) {
    return apply(inputs, parameters, true);
  }

  private static NDList apply(NDArray inputs, NDArray parameters, boolean inverse) {
    Shape shape = inputs.getShape();
    int n = Math.toIntExact(shape.size());
    boolean differentiable = !inverse && Djl.recordsGradients();
    NDArray raw = differentiable ? parameters.stopGradient() : parameters;
    Values values = new Values(n, differentiable);
    values.evaluate(
        raw.clip(-RAW_BOUND, RAW_BOUND).exp().toFloatArray(), inputs.toFloatArray(), inverse);
    NDManager manager = inputs.getManager();
    NDArray result = manager.create(values.outputs, new Shape(2, n));
    if (differentiable) {
      NDArray expansion =
          parameters
              .reshape(n, P)
              .mul(manager.create(values.parameterPartials, new Shape(2, n, P)))
              .sum(new int[] {2})
              .add(inputs.reshape(1, n).mul(manager.create(values.inputPartials, new Shape(2, n))));
      result = result.add(expansion.sub(expansion.stopGradient()));
    }
    NDList outputs = result.split(2, 0);
    return new NDList(outputs.get(0).reshape(shape), outputs.get(1).reshape(shape));
  }

  /**
   * The spline's outputs for n values, y (or x) then log|dy/dx| (or log|dx/dy|), and in the
   * forward direction their partial derivatives in the same order: with respect to the raw values,
   * n × {@value #P} per output, and to the input. One value's bin is held in the fields.
   */
  private static final class Values {
    final int n;
    final float[] outputs;
    final float[] parameterPartials;
    final float[] inputPartials;

    private int j;
    private double xSum;
    private double ySum;
    /** exp(raw) summed over the widths (heights) left of the bin. */
    private double xBefore;
    private double yBefore;
    private double left;
    private double width;
    private double bottom;
    private double height;
    private double slope;
    private double dLeft;
    private double dRight;

    Values(int n, boolean differentiable) {
      this.n = n;
      outputs = new float[2 * n];
      parameterPartials = differentiable ? new float[2 * n * P] : null;
      inputPartials = differentiable ? new float[2 * n] : null;
    }

    /** @param e exp(raw values), n × {@value #P} */
    void evaluate(float[] e, float[] in, boolean inverse) {
      for (int i = 0; i < n; i++) {
        float v = in[i];
        if (!(Math.abs(v) <= TAIL_BOUND)) {
          // The identity tails: log|dy/dx| stays 0, and dy/dx is 1.
          outputs[i] = v;
          if (inputPartials != null) {
            inputPartials[i] = 1;
          }
        } else if (inverse) {
          inverse(e, i, v);
        } else {
          forward(e, i, v);
        }
      }
    }

    /**
     * Finds the bin that holds v on the x-axis (or the y-axis): the one after every interior knot
     * at or below it, so that v = B falls in the last.
     */
    private void locate(float[] e, int o, double v, boolean yAxis) {
      xSum = 0;
      ySum = 0;
      for (int k = 0; k < BINS; k++) {
        xSum += e[o + k];
        ySum += e[o + HEIGHTS + k];
      }
      int axis = yAxis ? HEIGHTS : 0;
      double sum = yAxis ? ySum : xSum;
      double before = 0;
      j = 0;
      while (j < BINS - 1) {
        double next = before + e[o + axis + j];
        if (v < knot(j + 1, next / sum)) {
          break;
        }
        before = next;
        j++;
      }
      xBefore = 0;
      yBefore = 0;
      for (int k = 0; k < j; k++) {
        xBefore += e[o + k];
        yBefore += e[o + HEIGHTS + k];
      }
      left = knot(j, xBefore / xSum);
      width = MINIMUM + SCALE * e[o + j] / xSum;
      bottom = knot(j, yBefore / ySum);
      height = MINIMUM + SCALE * e[o + HEIGHTS + j] / ySum;
      slope = height / width;
      dLeft = j == 0 ? 1 : Math.log1p(e[o + DERIVATIVES + j - 1]) + MIN_DERIVATIVE;
      dRight = j == BINS - 1 ? 1 : Math.log1p(e[o + DERIVATIVES + j]) + MIN_DERIVATIVE;
    }

    /** Knot k, where a share of the softmax lies to its left. */
    private static double knot(int k, double share) {
      return -TAIL_BOUND + k * MINIMUM + SCALE * share;
    }

    /** y = spline(x) and log|dy/dx|, with their partials when asked. */
    private void forward(float[] e, int i, float x) {
      int o = i * P;
      locate(e, o, x, false);
      double xi = (x - left) / width;
      double q = xi * (1 - xi);
      double dq = 1 - 2 * xi;
      double curvature = dLeft + dRight - 2 * slope;
      double denominator = slope + curvature * q;
      double rise = (slope * xi * xi + dLeft * q) / denominator;
      double m = dRight * xi * xi + 2 * slope * q + dLeft * (1 - xi) * (1 - xi);
      outputs[i] = (float) (bottom + height * rise);
      outputs[n + i] = (float) (2 * Math.log(slope) + Math.log(m) - 2 * Math.log(denominator));
      if (parameterPartials == null) {
        return;
      }
      // y = bottom + height·rise, by slope, ξ, the bottom, the height with the slope held, and
      // the end derivatives.
      double riseXi = (2 * slope * xi + dLeft * dq - rise * curvature * dq) / denominator;
      partials(
          0,
          o,
          e,
          height * (xi * xi - rise * (1 - 2 * q)) / denominator,
          height * riseXi,
          1,
          rise,
          height * q * (1 - rise) / denominator,
          -height * rise * q / denominator,
          xi);
      // log|dy/dx| = 2 log slope + log m − 2 log denominator, the same way.
      double logXi =
          (2 * dRight * xi + 2 * slope * dq - 2 * dLeft * (1 - xi)) / m
              - 2 * curvature * dq / denominator;
      partials(
          1,
          o,
          e,
          2 / slope + 2 * q / m - 2 * (1 - 2 * q) / denominator,
          logXi,
          0,
          0,
          (1 - xi) * (1 - xi) / m - 2 * q / denominator,
          xi * xi / m - 2 * q / denominator,
          xi);
      inputPartials[i] = (float) (height * riseXi / width);
      inputPartials[n + i] = (float) (logXi / width);
    }

    /**
     * Writes output f's partials with respect to the raw values, from those with respect to the
     * slope, ξ, the bottom, the height (the slope held) and the end derivatives: through slope =
     * height / width and ξ = (x − left) / width to the bin's geometry, then through the softmax
     * and softplus to exp(raw), and through exp to raw.
     */
    private void partials(
        int f,
        int o,
        float[] e,
        double bySlope,
        double byXi,
        double byBottom,
        double byHeight,
        double byDLeft,
        double byDRight,
        double xi) {
      double byLeft = -byXi / width;
      double byWidth = -(bySlope * slope + byXi * xi) / width;
      double byHeightTotal = byHeight + bySlope / width;
      int p = f * n * P + o;
      double xScale = SCALE / xSum;
      double xCommon = -(byLeft * xBefore + byWidth * e[o + j]) / xSum;
      double yScale = SCALE / ySum;
      double yCommon = -(byBottom * yBefore + byHeightTotal * e[o + HEIGHTS + j]) / ySum;
      for (int k = 0; k < BINS; k++) {
        double x = xCommon + (k < j ? byLeft : k == j ? byWidth : 0);
        double y = yCommon + (k < j ? byBottom : k == j ? byHeightTotal : 0);
        parameterPartials[p + k] = (float) (xScale * e[o + k] * x);
        parameterPartials[p + HEIGHTS + k] = (float) (yScale * e[o + HEIGHTS + k] * y);
      }
      if (j > 0) {
        double ev = e[o + DERIVATIVES + j - 1];
        parameterPartials[p + DERIVATIVES + j - 1] = (float) (byDLeft * ev / (1 + ev));
      }
      if (j < BINS - 1) {
        double ev = e[o + DERIVATIVES + j];
        parameterPartials[p + DERIVATIVES + j] = (float) (byDRight * ev / (1 + ev));
      }
    }

    /** x = spline⁻¹(y) by the root of the bin's quadratic, and log|dx/dy|. */
    private void inverse(float[] e, int i, float y) {
      locate(e, i * P, y, true);
      double curvature = dLeft + dRight - 2 * slope;
      double dy = y - bottom;
      double qa = height * (slope - dLeft) + dy * curvature;
      double qb = height * dLeft - dy * curvature;
      double qc = slope * dy;
      double discriminant = Math.max(0, qb * qb + 4 * qa * qc);
      // 2c / (b + √Δ) (with c = −slope·dy) rather than (−b + √Δ) / 2a: stable when a → 0 (a
      // nearly linear bin).
      double xi = 2 * qc / (qb + Math.sqrt(discriminant));
      double q = xi * (1 - xi);
      double m = dRight * xi * xi + 2 * slope * q + dLeft * (1 - xi) * (1 - xi);
      outputs[i] = (float) (xi * width + left);
      outputs[n + i] =
          (float) -(2 * Math.log(slope) + Math.log(m) - 2 * Math.log(slope + curvature * q));
    }
  }
}

package org.streamsbi.trainer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;

/**
 * The monotonic rational-quadratic spline of Durkan et al. (2019), elementwise, as nflows'
 * {@code unconstrained_rational_quadratic_spline} with linear tails: {@value #BINS} bins on
 * [−{@value #TAIL_BOUND}, {@value #TAIL_BOUND}], the identity outside, and derivative 1 at both
 * ends so the two pieces join smoothly.
 *
 * <p>Each dimension takes {@value #PARAMETERS_PER_DIMENSION} unconstrained values: {@value #BINS}
 * widths, {@value #BINS} heights (softmax-normalised) and the {@code BINS − 1} interior
 * derivatives (softplus). Every array is made in the inputs' manager and put first in products,
 * and constants are arrays rather than Java numbers, so autograd never sees a freed scalar.
 */
final class RationalQuadraticSpline {
  static final int BINS = 10;
  static final float TAIL_BOUND = 3f;
  static final int PARAMETERS_PER_DIMENSION = 3 * BINS - 1;
  /** Smallest bin width and height, as a share of the interval (nflows: 1e-3). */
  private static final float MIN_BIN_SIZE = 1e-3f;
  private static final float MIN_DERIVATIVE = 1e-3f;
  /**
   * softplus⁻¹(1 − floor), the raw derivative of slope exactly 1: with it for every derivative and
   * zero widths and heights the spline is the identity.
   */
  static final float IDENTITY_DERIVATIVE =
      (float) Math.log(Math.expm1(1 - MIN_DERIVATIVE));

  /**
   * Interior knot k (1-based) = −B + 2B·(k·minimum + (1 − BINS·minimum)·Σ_{j≤k} softmax_j): the
   * constant part, so the floor on bin sizes costs no extra operations.
   */
  private static final float[] KNOT_OFFSETS = new float[BINS - 1];

  static {
    for (int k = 0; k < BINS - 1; k++) {
      KNOT_OFFSETS[k] = -TAIL_BOUND + 2 * TAIL_BOUND * (k + 1) * MIN_BIN_SIZE;
    }
  }

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

  /** x = spline⁻¹(y) by the root of the bin's quadratic, and log|dx/dy| elementwise. */
  static NDList inverse(NDArray inputs, NDArray parameters) {
    return apply(inputs, parameters, true);
  }

  private static NDList apply(NDArray inputs, NDArray parameters, boolean inverse) {
    NDManager m = inputs.getManager();
    long rows = inputs.getShape().get(0);
    long dims = inputs.getShape().get(1);
    NDArray high = m.create(TAIL_BOUND);
    NDArray inside = inputs.abs().lte(high);
    // The spline is evaluated on clamped values everywhere, so the branch where() discards holds
    // no inf or NaN whose zero gradient would still poison the sum as 0 · inf.
    NDArray x = inputs.maximum(m.create(-TAIL_BOUND)).minimum(high).reshape(rows, dims, 1, 1);

    // Widths and heights side by side on axis 2 (rows × D × 2 × BINS): one softmax, one cumsum.
    NDList raw = parameters.split(new long[] {2 * BINS}, 2);
    NDArray interior =
        raw.get(0)
            .reshape(rows, dims, 2, BINS)
            .softmax(3)
            .cumSum(3)
            .split(new long[] {BINS - 1}, 3)
            .get(0)
            .mul(m.create((1 - MIN_BIN_SIZE * BINS) * 2 * TAIL_BOUND))
            .add(m.create(KNOT_OFFSETS, new Shape(BINS - 1)));
    Shape edge = new Shape(rows, dims, 2, 1);
    NDArray knots =
        NDArrays.concat(
            new NDList(m.full(edge, -TAIL_BOUND), interior, m.full(edge, TAIL_BOUND)), 3);
    NDArray searched = interior.split(2, 2).get(inverse ? 1 : 0);
    NDArray bin =
        x.gte(searched)
            .toType(DataType.FLOAT32, false)
            .sum(new int[] {3}, true)
            .toType(DataType.INT64, false);
    // Gathers rather than a one-hot product over all bins, and the softplus applied after the
    // gather: both touch two values per element instead of BINS. Axis 2 of the knots holds
    // widths then heights, so one gather picks the bin's four corners.
    NDArray ends = bin.concat(bin.add(m.create(1L)), 3);
    NDList corners = knots.gather(ends.broadcast(new Shape(rows, dims, 2, 2)), 3).split(2, 3);
    NDList start = corners.get(0).split(2, 2);
    NDList extent = corners.get(1).sub(corners.get(0)).split(2, 2);
    // Raw end derivatives of softplus⁻¹(1 − floor) make the slope 1 where the linear tails join.
    NDArray edgeDerivative = m.full(new Shape(rows, dims, 1, 1), IDENTITY_DERIVATIVE);
    NDList slopes =
        Activation.softPlus(
                NDArrays.concat(
                        new NDList(
                            edgeDerivative,
                            raw.get(1).reshape(rows, dims, 1, BINS - 1),
                            edgeDerivative),
                        3)
                    .gather(ends, 3))
            .add(m.create(MIN_DERIVATIVE))
            .split(2, 3);
    NDArray left = start.get(0).reshape(rows, dims, 1);
    NDArray bottom = start.get(1).reshape(rows, dims, 1);
    NDArray width = extent.get(0).reshape(rows, dims, 1);
    NDArray height = extent.get(1).reshape(rows, dims, 1);
    NDArray dLeft = slopes.get(0).reshape(rows, dims, 1);
    NDArray dRight = slopes.get(1).reshape(rows, dims, 1);
    NDArray y = x.reshape(rows, dims, 1);

    NDArray slope = height.div(width);
    NDArray two = m.create(2f);
    NDArray curvature = dLeft.add(dRight).sub(slope.mul(two));
    NDArray t;
    if (inverse) {
      NDArray dy = y.sub(bottom);
      NDArray dyCurvature = dy.mul(curvature);
      NDArray a = height.mul(slope.sub(dLeft)).add(dyCurvature);
      NDArray b = height.mul(dLeft).sub(dyCurvature);
      NDArray c = slope.mul(dy).neg();
      NDArray discriminant =
          b.square().sub(a.mul(c).mul(m.create(4f))).maximum(m.create(0f));
      // 2c / (−b − √Δ) rather than (−b + √Δ) / 2a: stable when a → 0 (a nearly linear bin).
      t = c.mul(two).div(b.neg().sub(discriminant.sqrt()));
    } else {
      t = y.sub(left).div(width);
    }
    NDArray tSquared = t.square();
    NDArray tOneMinusT = t.sub(tSquared);
    NDArray denominator = slope.add(curvature.mul(tOneMinusT));
    NDArray logDerivative =
        slope
            .square()
            .mul(
                dRight
                    .mul(tSquared)
                    .add(slope.mul(two).mul(tOneMinusT))
                    .add(dLeft.mul(m.create(1f).sub(t).square())))
            .div(denominator.square())
            .log();
    NDArray out =
        inverse
            ? t.mul(width).add(left)
            : bottom.add(
                height.mul(slope.mul(tSquared).add(dLeft.mul(tOneMinusT))).div(denominator));
    NDArray logAbsDet = inverse ? logDerivative.neg() : logDerivative;
    Shape shape = inputs.getShape();
    return new NDList(
        NDArrays.where(inside, out.reshape(shape), inputs),
        NDArrays.where(inside, logAbsDet.reshape(shape), m.zeros(shape)));
  }
}

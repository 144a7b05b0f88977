package org.streamsbi.trainer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
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
 * derivatives (softplus). An instance holds the constant arrays of the computation in the manager
 * it was made for, which must outlive every call; they are only ever second operands, so results
 * land in the inputs' manager.
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
   * Bound on the raw values before exp: e^±50 and sums of ten of them times the knots stay far
   * inside float32. A softmax only differs from the clamped one when a whole group of logits lies
   * beyond it, and softplus(v) only for v above it (a slope over 50).
   */
  private static final float RAW_BOUND = 50f;

  /**
   * Columns of {@link #COLUMNS}, in groups: S_x·knot_k for knots 0..BINS−1 with S_x = Σ
   * exp(width logits), and S_x itself; the same on the y-axis with the heights; S_x·width_j;
   * S_y·height_j; 1 + e^(raw derivative) at knots 0..BINS (a constant at the two ends). The bin
   * search compares with a group of knots, and one gather picks every value of the bin.
   */
  private static final int X_KNOTS = 0;
  private static final int Y_KNOTS = BINS + 1;
  private static final int WIDTHS = 2 * (BINS + 1);
  private static final int HEIGHTS = WIDTHS + BINS;
  private static final int DERIVATIVES = HEIGHTS + BINS;
  private static final int WIDTH = DERIVATIVES + BINS + 1;

  /**
   * PARAMETERS_PER_DIMENSION × WIDTH: exp(raw values) times this are the columns above, up to
   * {@link #OFFSETS}. Scaling the knots and sizes by the softmax's normaliser makes the whole
   * parametrisation one product; the floor on bin sizes is a constant per column times that
   * normaliser, so it goes into the product too.
   */
  private static final float[] COLUMNS = new float[PARAMETERS_PER_DIMENSION * WIDTH];

  /** Added after the product: the 1 of 1 + e^v, and the end derivatives, where no v exists. */
  private static final float[] OFFSETS = new float[WIDTH];

  /**
   * The gathered columns for bin j are FIRST + j·STEP: S_x·left, S_x·width, S_y·bottom,
   * S_y·height, then S_x, S_x, S_y, S_y to divide them by, then 1 + e^v at knots j and j + 1.
   */
  private static final long[] FIRST = {
    X_KNOTS, WIDTHS, Y_KNOTS, HEIGHTS, X_KNOTS + BINS, X_KNOTS + BINS, Y_KNOTS + BINS,
    Y_KNOTS + BINS, DERIVATIVES, DERIVATIVES + 1
  };

  private static final long[] STEP = {1, 1, 1, 1, 0, 0, 0, 0, 1, 1};

  static {
    float scale = (1 - MIN_BIN_SIZE * BINS) * 2 * TAIL_BOUND;
    float minimum = 2 * TAIL_BOUND * MIN_BIN_SIZE;
    for (int axis = 0; axis < 2; axis++) {
      int knots = axis == 0 ? X_KNOTS : Y_KNOTS;
      int sizes = axis == 0 ? WIDTHS : HEIGHTS;
      for (int i = 0; i < BINS; i++) {
        int row = (axis * BINS + i) * WIDTH;
        for (int k = 0; k < BINS; k++) {
          COLUMNS[row + knots + k] = -TAIL_BOUND + k * minimum + (i < k ? scale : 0);
          COLUMNS[row + sizes + k] = (i == k ? scale : 0) + minimum;
        }
        COLUMNS[row + knots + BINS] = 1;
      }
    }
    for (int k = 1; k < BINS; k++) {
      COLUMNS[(2 * BINS + k - 1) * WIDTH + DERIVATIVES + k] = 1;
      OFFSETS[DERIVATIVES + k] = 1;
    }
    OFFSETS[DERIVATIVES] = (float) Math.exp(1 - MIN_DERIVATIVE);
    OFFSETS[DERIVATIVES + BINS] = OFFSETS[DERIVATIVES];
  }

  private final NDArray columns;
  private final NDArray offsets;
  private final NDArray first;
  private final NDArray step;
  private final NDArray one;
  private final NDArray two;
  private final NDArray four;
  private final NDArray minimumDerivative;
  private final NDArray zero;

  private RationalQuadraticSpline(NDManager manager) {
    columns = manager.create(COLUMNS, new Shape(PARAMETERS_PER_DIMENSION, WIDTH));
    offsets = manager.create(OFFSETS, new Shape(WIDTH));
    first = manager.create(FIRST, new Shape(FIRST.length, 1));
    step = manager.create(STEP, new Shape(STEP.length, 1));
    one = manager.create(1f);
    two = manager.create(2f);
    four = manager.create(4f);
    minimumDerivative = manager.create(MIN_DERIVATIVE);
    zero = manager.create(0f);
  }

  /** The spline's constants in {@code manager}, which must outlive every call. */
  static RationalQuadraticSpline in(NDManager manager) {
    return new RationalQuadraticSpline(manager);
  }

  /**
   * y = spline(x) and log|dy/dx| elementwise.
   *
   * @param inputs rows × D
   * @param parameters rows × D × {@value #PARAMETERS_PER_DIMENSION}, unconstrained
   */
  NDList forward(NDArray inputs, NDArray parameters) {
    return apply(inputs, parameters, false);
  }

  /** x = spline⁻¹(y) by the root of the bin's quadratic, and log|dx/dy| elementwise. */
  NDList inverse(NDArray inputs, NDArray parameters) {
    return apply(inputs, parameters, true);
  }

  /**
   * Written for few native operations, each costing microseconds of call and autograd overhead at
   * these sizes, and for none of those that cost far more on one thread (softmax, max along an
   * axis, a division whose divisor is broadcast, concatenations and ops on strided views): one
   * exp, one product with a constant matrix and one gather give every value of the bin, and
   * the search counts knots below the value, scaled by the softmax's normaliser.
   */
  private NDList apply(NDArray inputs, NDArray parameters, boolean inverse) {
    Shape shape = inputs.getShape();
    long n = shape.size();
    // The spline is evaluated on clamped values everywhere, so the branch where() discards holds
    // no inf or NaN whose zero gradient would still poison the sum as 0 · inf. Clamps are
    // written as v − (v − clamp(v)) with the bracket constant, because PyTorch's clamp backward
    // costs several kernels: the gradient is the identity's, which where() zeroes outside the
    // interval anyway, and past the bound on raw values it is softplus' slope there, 1.
    NDArray clamped = clampedLike(inputs, TAIL_BOUND);
    NDArray inside = clamped.eq(inputs);
    // One column per value: every array below is a contiguous row, where elementwise kernels
    // are several times faster than on the strided pieces of a row-major split.
    NDArray x = clamped.reshape(1, n);

    NDArray all =
        clampedLike(parameters, RAW_BOUND).exp().matMul(columns).add(offsets).reshape(n, WIDTH);
    // The bin holds x when knots 1..j are at or below it; knot 0 is −B ≤ x by the clamp. Compared
    // as x·S ≥ S·knot, the normaliser S > 0 never divides.
    int knots = inverse ? Y_KNOTS : X_KNOTS;
    NDList search =
        all.stopGradient().split(new long[] {knots + 1, knots + BINS, knots + BINS + 1}, 1);
    NDArray index =
        clamped
            .reshape(n, 1)
            .mul(search.get(2))
            .gte(search.get(1))
            .sum(new int[] {1})
            .mul(step)
            .add(first);
    NDList bin = all.transpose().gather(index, 0).split(new long[] {4, 8}, 0);
    NDList corners = bin.get(0).div(bin.get(1)).split(4, 0);
    NDList slopes = bin.get(2).log().add(minimumDerivative).split(2, 0);
    NDArray left = corners.get(0);
    NDArray width = corners.get(1);
    NDArray bottom = corners.get(2);
    NDArray height = corners.get(3);
    NDArray dLeft = slopes.get(0);
    NDArray dRight = slopes.get(1);

    NDArray slope = height.div(width);
    NDArray twoSlope = slope.mul(two);
    NDArray curvature = dLeft.add(dRight).sub(twoSlope);
    NDArray t;
    if (inverse) {
      NDArray dy = x.sub(bottom);
      NDArray dyCurvature = dy.mul(curvature);
      NDArray a = height.mul(slope.sub(dLeft)).add(dyCurvature);
      NDArray b = height.mul(dLeft).sub(dyCurvature);
      NDArray c = slope.mul(dy);
      NDArray discriminant = b.square().add(a.mul(c).mul(four)).clip(0f, Float.MAX_VALUE);
      // 2c / (b + √Δ) (with c = −slope·dy) rather than (−b + √Δ) / 2a: stable when a → 0 (a
      // nearly linear bin).
      t = c.mul(two).div(b.add(discriminant.sqrt()));
    } else {
      t = x.sub(left).div(width);
    }
    NDArray tSquared = t.mul(t);
    NDArray tOneMinusT = t.sub(tSquared);
    NDArray tMinusOne = t.sub(one);
    NDArray denominator = slope.add(curvature.mul(tOneMinusT));
    NDArray ratio = slope.div(denominator);
    // log(slope² (dR t² + 2 slope t(1 − t) + dL (1 − t)²) / denominator²).
    NDArray logDerivative =
        dRight
            .mul(tSquared)
            .add(twoSlope.mul(tOneMinusT))
            .add(dLeft.mul(tMinusOne.mul(tMinusOne)))
            .mul(ratio.mul(ratio))
            .log();
    NDArray out =
        inverse
            ? t.mul(width).add(left)
            : bottom.add(
                height.mul(slope.mul(tSquared).add(dLeft.mul(tOneMinusT))).div(denominator));
    NDArray logAbsDet = inverse ? logDerivative.neg() : logDerivative;
    return new NDList(
        NDArrays.where(inside, out.reshape(shape), inputs),
        NDArrays.where(inside, logAbsDet.reshape(shape), zero));
  }

  /** clamp(v) in value, with v's gradient. */
  private static NDArray clampedLike(NDArray v, float bound) {
    NDArray constant = v.stopGradient();
    return v.sub(constant.sub(constant.clip(-bound, bound)));
  }
}

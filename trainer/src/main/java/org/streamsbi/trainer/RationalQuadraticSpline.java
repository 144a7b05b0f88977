package org.streamsbi.trainer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;

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
   * The columns of the spline's values, in groups: S_x·knot_k for knots 0..BINS with S_x = Σ
   * exp(width logits), and S_x itself; the same on the y-axis with the heights and S_y; 1 +
   * e^(raw derivative) at knots 0..BINS (a constant at the two ends). The bin search compares with
   * a group of knots, and one gather picks every value of the bin.
   */
  private static final int X_KNOTS = 0;
  private static final int Y_KNOTS = BINS + 2;
  private static final int DERIVATIVES = 2 * (BINS + 2);
  private static final int WIDTH = DERIVATIVES + BINS + 1;

  /**
   * WIDTH × PARAMETERS_PER_DIMENSION, as a linear layer's weight: exp(raw values) through it, plus
   * {@link #OFFSETS}, are the columns above. Scaling the knots by the softmax's normaliser makes
   * the whole parametrisation one product; the floor on bin sizes is a constant per column times
   * that normaliser, so it goes into the product too.
   */
  private static final float[] COLUMNS = new float[WIDTH * PARAMETERS_PER_DIMENSION];

  /** Added to the product: the 1 of 1 + e^v, and the end derivatives, where no v exists. */
  private static final float[] OFFSETS = new float[WIDTH];

  /**
   * The gathered columns for bin j are FIRST + j·STEP: S_x·left and S_x·right knot, S_y·bottom and
   * S_y·top knot, then S_x, S_x, S_y, S_y to divide them by, then 1 + e^v at knots j and j + 1.
   */
  private static final long[] FIRST = {
    X_KNOTS, X_KNOTS + 1, Y_KNOTS, Y_KNOTS + 1, X_KNOTS + BINS + 1, X_KNOTS + BINS + 1,
    Y_KNOTS + BINS + 1, Y_KNOTS + BINS + 1, DERIVATIVES, DERIVATIVES + 1
  };

  private static final long[] STEP = {1, 1, 1, 1, 0, 0, 0, 0, 1, 1};

  static {
    float scale = (1 - MIN_BIN_SIZE * BINS) * 2 * TAIL_BOUND;
    float minimum = 2 * TAIL_BOUND * MIN_BIN_SIZE;
    int p = PARAMETERS_PER_DIMENSION;
    for (int axis = 0; axis < 2; axis++) {
      int knots = axis == 0 ? X_KNOTS : Y_KNOTS;
      for (int i = 0; i < BINS; i++) {
        int raw = axis * BINS + i;
        for (int k = 0; k <= BINS; k++) {
          COLUMNS[(knots + k) * p + raw] = -TAIL_BOUND + k * minimum + (i < k ? scale : 0);
        }
        COLUMNS[(knots + BINS + 1) * p + raw] = 1;
      }
    }
    for (int k = 1; k < BINS; k++) {
      COLUMNS[(DERIVATIVES + k) * p + 2 * BINS + k - 1] = 1;
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
    columns = manager.create(COLUMNS, new Shape(WIDTH, PARAMETERS_PER_DIMENSION));
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
        Linear.linear(clampedLike(parameters, RAW_BOUND).exp(), columns, offsets)
            .singletonOrThrow()
            .reshape(n, WIDTH);
    // The bin holds x when knots 1..j are at or below it; knot 0 is −B ≤ x by the clamp. Compared
    // as x·S ≥ S·knot, the normaliser S > 0 never divides.
    int knots = inverse ? Y_KNOTS : X_KNOTS;
    NDList search =
        all.stopGradient()
            .split(new long[] {knots + 1, knots + BINS, knots + BINS + 1, knots + BINS + 2}, 1);
    NDArray index =
        clamped
            .reshape(n, 1)
            .mul(search.get(3))
            .gte(search.get(1))
            .sum(new int[] {1})
            .mul(step)
            .add(first);
    NDArray bin = all.transpose().gather(index, 0);
    NDList result = inverse ? inverseInBin(bin, x) : forwardInBin(bin, x);
    return new NDList(
        NDArrays.where(inside, result.get(0).reshape(shape), inputs),
        NDArrays.where(inside, result.get(1).reshape(shape), zero));
  }

  /** The bin's left and bottom knots, width, height and end derivatives, each a row. */
  private record Bin(
      NDArray left, NDArray bottom, NDArray width, NDArray height, NDArray dLeft, NDArray dRight) {}

  /** From the gathered rows: the S-scaled knots over their normalisers, and log(1 + e^v) + floor. */
  private Bin bin(NDArray gathered) {
    NDList parts = gathered.split(new long[] {4, 8}, 0);
    NDList corners = parts.get(0).div(parts.get(1)).split(4, 0);
    NDList slopes = parts.get(2).log().add(minimumDerivative).split(2, 0);
    NDArray left = corners.get(0);
    NDArray bottom = corners.get(2);
    return new Bin(
        left,
        bottom,
        corners.get(1).sub(left),
        corners.get(3).sub(bottom),
        slopes.get(0),
        slopes.get(1));
  }

  /** x = spline⁻¹(y) by the root of the bin's quadratic, and log|dx/dy|, through autograd. */
  private NDList inverseInBin(NDArray gathered, NDArray y) {
    Bin b = bin(gathered);
    NDArray slope = b.height.div(b.width);
    NDArray twoSlope = slope.mul(two);
    NDArray curvature = b.dLeft.add(b.dRight).sub(twoSlope);
    NDArray dy = y.sub(b.bottom);
    NDArray dyCurvature = dy.mul(curvature);
    NDArray qa = b.height.mul(slope.sub(b.dLeft)).add(dyCurvature);
    NDArray qb = b.height.mul(b.dLeft).sub(dyCurvature);
    NDArray qc = slope.mul(dy);
    NDArray discriminant = qb.mul(qb).add(qa.mul(qc).mul(four)).clip(0f, Float.MAX_VALUE);
    // 2c / (b + √Δ) (with c = −slope·dy) rather than (−b + √Δ) / 2a: stable when a → 0 (a nearly
    // linear bin).
    NDArray t = qc.mul(two).div(qb.add(discriminant.sqrt()));
    NDArray tSquared = t.mul(t);
    NDArray tOneMinusT = t.sub(tSquared);
    NDArray tMinusOne = t.sub(one);
    NDArray ratio = slope.div(slope.add(curvature.mul(tOneMinusT)));
    NDArray logDerivative =
        b.dRight
            .mul(tSquared)
            .add(twoSlope.mul(tOneMinusT))
            .add(b.dLeft.mul(tMinusOne.mul(tMinusOne)))
            .mul(ratio.mul(ratio))
            .log();
    return new NDList(t.mul(b.width).add(b.left), logDerivative.neg());
  }

  /** y = spline(x) and log|dy/dx|, through autograd. */
  private NDList forwardInBin(NDArray gathered, NDArray x) {
    Bin b = bin(gathered);
    NDArray slope = b.height.div(b.width);
    NDArray twoSlope = slope.mul(two);
    NDArray curvature = b.dLeft.add(b.dRight).sub(twoSlope);
    NDArray t = x.sub(b.left).div(b.width);
    NDArray tSquared = t.mul(t);
    NDArray tOneMinusT = t.sub(tSquared);
    NDArray tMinusOne = t.sub(one);
    NDArray denominator = slope.add(curvature.mul(tOneMinusT));
    NDArray ratio = slope.div(denominator);
    // log(slope² (dR t² + 2 slope t(1 − t) + dL (1 − t)²) / denominator²).
    NDArray logDerivative =
        b.dRight
            .mul(tSquared)
            .add(twoSlope.mul(tOneMinusT))
            .add(b.dLeft.mul(tMinusOne.mul(tMinusOne)))
            .mul(ratio.mul(ratio))
            .log();
    NDArray y =
        b.bottom.add(
            b.height.mul(slope.mul(tSquared).add(b.dLeft.mul(tOneMinusT))).div(denominator));
    return new NDList(y, logDerivative);
  }

  /** clamp(v) in value, with v's gradient. */
  private static NDArray clampedLike(NDArray v, float bound) {
    NDArray constant = v.stopGradient();
    return v.sub(constant.sub(constant.clip(-bound, bound)));
  }
}

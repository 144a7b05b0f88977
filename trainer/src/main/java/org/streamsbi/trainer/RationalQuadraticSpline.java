package org.streamsbi.trainer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
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
   * Knot k = −B + 2B·(k·minimum + (1 − BINS·minimum)·Σ_{j<k} share_j) for k = 0..BINS, as the
   * product of the bin shares with {@link #CUMULATIVE} plus these offsets: the floor on bin sizes
   * costs no extra operations.
   */
  private static final float[] KNOT_OFFSETS = new float[BINS + 1];

  /** BINS × (BINS + 1): entry (j, k) is the scale of share j in knot k, 0 unless j < k. */
  private static final float[] CUMULATIVE = new float[BINS * (BINS + 1)];

  /**
   * (BINS − 1) × (BINS + 1): places the interior derivatives at knots 1..BINS−1 of a row whose
   * ends are {@link #DERIVATIVE_OFFSETS}' 1.
   */
  private static final float[] INTERIOR = new float[(BINS - 1) * (BINS + 1)];

  /** The end derivatives 1, where the linear tails join, and the floor inside. */
  private static final float[] DERIVATIVE_OFFSETS = new float[BINS + 1];

  /**
   * Added to the last knot before the bin search so that a value on the right edge falls in the
   * last bin, not past it.
   */
  private static final float[] PAST_LAST_KNOT = new float[BINS + 1];

  /** The bin's left and right knot relative to the number of knots at or below the value. */
  private static final long[] ENDS = {-1, 0};

  static {
    float scale = (1 - MIN_BIN_SIZE * BINS) * 2 * TAIL_BOUND;
    for (int k = 0; k <= BINS; k++) {
      KNOT_OFFSETS[k] = -TAIL_BOUND + 2 * TAIL_BOUND * k * MIN_BIN_SIZE;
      for (int j = 0; j < Math.min(k, BINS); j++) {
        CUMULATIVE[j * (BINS + 1) + k] = scale;
      }
      DERIVATIVE_OFFSETS[k] = k == 0 || k == BINS ? 1 : MIN_DERIVATIVE;
    }
    for (int j = 0; j < BINS - 1; j++) {
      INTERIOR[j * (BINS + 1) + j + 1] = 1;
    }
    PAST_LAST_KNOT[BINS] = 4 * TAIL_BOUND;
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

  /**
   * Written for few native operations, each costing microseconds of call and autograd overhead at
   * these sizes, and for none of those that cost far more on one thread (softmax ~300 µs, a
   * concatenation on an inner axis or an op on a strided view 30–150 µs, an add ~5 µs): the
   * softmax is written out, cumulative sums and the placing of the derivatives are products with
   * constant matrices, the bin search counts knots, and two gathers pick the bin's corners.
   */
  private static NDList apply(NDArray inputs, NDArray parameters, boolean inverse) {
    NDManager m = inputs.getManager();
    long rows = inputs.getShape().get(0);
    long dims = inputs.getShape().get(1);
    // The spline is evaluated on clamped values everywhere, so the branch where() discards holds
    // no inf or NaN whose zero gradient would still poison the sum as 0 · inf.
    NDArray clamped = inputs.clip(-TAIL_BOUND, TAIL_BOUND);
    NDArray inside = clamped.eq(inputs);
    NDArray x = clamped.reshape(rows, dims, 1, 1);

    // Widths and heights side by side (rows × D × 2 × BINS), their knots at once. The largest
    // logit is subtracted as a constant: the shares do not depend on it, so no gradient flows
    // through it. Both parts of the split are strided views; reshaping each through a shape no
    // view can take copies it to contiguous memory, where elementwise kernels run several times
    // faster (softplus on the strided view: ~150 µs, on a copy: ~20 µs).
    NDList raw = parameters.split(new long[] {2 * BINS}, 2);
    NDArray logits = raw.get(0).reshape(rows, dims * 2 * BINS).reshape(rows, dims, 2, BINS);
    NDArray exp = logits.sub(logits.max(new int[] {3}, true).stopGradient()).exp();
    NDArray knots =
        exp.matMul(m.create(CUMULATIVE, new Shape(BINS, BINS + 1)))
            .div(exp.sum(new int[] {3}, true))
            .add(m.create(KNOT_OFFSETS, new Shape(BINS + 1)));
    NDArray derivatives =
        Activation.softPlus(raw.get(1).reshape(rows, dims * (BINS - 1)))
            .reshape(rows, dims, BINS - 1)
            .matMul(m.create(INTERIOR, new Shape(BINS - 1, BINS + 1)))
            .add(m.create(DERIVATIVE_OFFSETS, new Shape(BINS + 1)));

    NDArray searched = knots.split(2, 2).get(inverse ? 1 : 0);
    NDArray ends =
        x.gte(searched.add(m.create(PAST_LAST_KNOT, new Shape(BINS + 1))))
            .sum(new int[] {3}, true)
            .add(m.create(ENDS, new Shape(2)));
    NDList corners =
        knots
            .gather(ends.broadcast(new Shape(rows, dims, 2, 2)), 3)
            .reshape(rows, dims, 4)
            .split(4, 2);
    NDList slopes = derivatives.gather(ends.reshape(rows, dims, 2), 2).split(2, 2);
    NDArray left = corners.get(0);
    NDArray width = corners.get(1).sub(left);
    NDArray bottom = corners.get(2);
    NDArray height = corners.get(3).sub(bottom);
    NDArray dLeft = slopes.get(0);
    NDArray dRight = slopes.get(1);
    x = x.reshape(rows, dims, 1);

    NDArray slope = height.div(width);
    NDArray twoSlope = slope.mul(m.create(2f));
    NDArray curvature = dLeft.add(dRight).sub(twoSlope);
    NDArray t;
    if (inverse) {
      NDArray dy = x.sub(bottom);
      NDArray dyCurvature = dy.mul(curvature);
      NDArray a = height.mul(slope.sub(dLeft)).add(dyCurvature);
      NDArray b = height.mul(dLeft).sub(dyCurvature);
      NDArray c = slope.mul(dy);
      NDArray discriminant = b.square().add(a.mul(c).mul(m.create(4f))).clip(0f, Float.MAX_VALUE);
      // 2c / (b + √Δ) (with c = −slope·dy) rather than (−b + √Δ) / 2a: stable when a → 0 (a
      // nearly linear bin).
      t = c.mul(m.create(2f)).div(b.add(discriminant.sqrt()));
    } else {
      t = x.sub(left).div(width);
    }
    NDArray tSquared = t.square();
    NDArray tOneMinusT = t.sub(tSquared);
    NDArray oneMinusT = m.create(1f).sub(t);
    NDArray denominator = slope.add(curvature.mul(tOneMinusT));
    // log(slope² (dR t² + 2 slope t(1 − t) + dL (1 − t)²) / denominator²).
    NDArray logDerivative =
        dRight
            .mul(tSquared)
            .add(twoSlope.mul(tOneMinusT))
            .add(dLeft.mul(oneMinusT.square()))
            .log()
            .add(slope.div(denominator).log().mul(m.create(2f)));
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

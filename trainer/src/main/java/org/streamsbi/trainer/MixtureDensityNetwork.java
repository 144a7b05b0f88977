package org.streamsbi.trainer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import java.util.Arrays;
import java.util.function.Function;
import java.util.random.RandomGenerator;

/**
 * A mixture density network q(θ | x) = Σ_k π_k(x) N(θ; μ_k(x), Σ_k(x)) as sbi's {@code mdn}
 * (pyknos' MultivariateGaussianMDN): {@value #COMPONENTS} full-covariance Gaussians whose weights,
 * means and covariances come from one ReLU network with two hidden layers on the features.
 *
 * <p>Each covariance is given by its precision's Cholesky factor U (upper triangular, Σ⁻¹ = UᵀU)
 * with a softplus diagonal, so log N needs a product and no solve: log N = Σ log U_ii − ½‖U(θ −
 * μ)‖² − D/2 log 2π. Sampling solves U z = ε by back-substitution. The network's output layer is
 * one linear map split into logits, means, raw diagonals and a D × D block masked to its strict
 * upper triangle: one matrix product where pyknos has four.
 */
final class MixtureDensityNetwork extends ConditionalEstimator {
  static final int COMPONENTS = 10;
  /** pyknos' epsilon: the diagonal's floor and the scale of the near-constant initial outputs. */
  private static final float EPSILON = 1e-2f;
  /** softplus⁻¹(1 − ε): every component starts with unit precision. */
  private static final float UNIT_DIAGONAL = (float) Math.log(Math.expm1(1 - EPSILON));

  private final Conditioner network;
  private final float[] strictUpper;
  private final float[] identity;

  MixtureDensityNetwork(FlowConfig config, int thetaDimension, int contextDimension) {
    super(config, thetaDimension, contextDimension);
    int h = config.hiddenUnits();
    int d = thetaDimension;
    int out = COMPONENTS * (1 + 2 * d + d * d);
    network =
        conditioner(
            "mdn.",
            featureDimension,
            h,
            out,
            (manager, shape, type) -> outputWeight(manager, shape, h),
            (manager, shape, type) -> outputBias(manager, shape, h));
    strictUpper = new float[d * d];
    identity = new float[d * d];
    for (int i = 0; i < d; i++) {
      identity[i * d + i] = 1;
      for (int j = i + 1; j < d; j++) {
        strictUpper[i * d + j] = 1;
      }
    }
  }

  /**
   * As pyknos initialises: near-uniform weights, unit precisions, no correlation, and means from
   * PyTorch's default so that the components start apart.
   */
  private NDArray outputWeight(NDManager manager, Shape shape, int hidden) {
    float[] bounds = rowBounds((float) (1 / Math.sqrt(hidden)));
    return manager
        .randomUniform(-1, 1, shape)
        .mul(manager.create(bounds, new Shape(bounds.length, 1)));
  }

  private NDArray outputBias(NDManager manager, Shape shape, int hidden) {
    float[] bounds = rowBounds((float) (1 / Math.sqrt(hidden)));
    float[] offsets = new float[bounds.length];
    int diagonalStart = COMPONENTS * (1 + thetaDimension);
    for (int i = diagonalStart; i < diagonalStart + COMPONENTS * thetaDimension; i++) {
      offsets[i] = UNIT_DIAGONAL;
    }
    return manager
        .randomUniform(-1, 1, shape)
        .mul(manager.create(bounds))
        .add(manager.create(offsets));
  }

  /** Per output: the means' default bound, ε for the rest. */
  private float[] rowBounds(float meanBound) {
    int d = thetaDimension;
    float[] bounds = new float[COMPONENTS * (1 + 2 * d + d * d)];
    Arrays.fill(bounds, EPSILON);
    Arrays.fill(bounds, COMPONENTS, COMPONENTS * (1 + d), meanBound);
    return bounds;
  }

  /** Logits of the weights (rows × K), means (rows × K × D), diagonals of U (rows × K × D) and U. */
  private NDList mixture(NDArray features, Function<Parameter, NDArray> v) {
    NDManager m = features.getManager();
    long rows = features.getShape().get(0);
    int d = thetaDimension;
    long k = COMPONENTS;
    NDArray h =
        Activation.relu(
            linear(features, v.apply(network.inputWeight()), v.apply(network.inputBias())));
    h = Activation.relu(linear(h, v.apply(network.hiddenWeight()), v.apply(network.hiddenBias())));
    NDList parts =
        linear(h, v.apply(network.outputWeight()), v.apply(network.outputBias()))
            .split(new long[] {k, k * (1 + d), k * (1 + 2 * d)}, 1);
    NDArray diagonal =
        Activation.softPlus(parts.get(2).reshape(rows, k, d)).add(m.create(EPSILON));
    NDArray factor =
        parts
            .get(3)
            .reshape(rows, k, d, d)
            .mul(m.create(strictUpper, new Shape(d, d)))
            .add(diagonal.reshape(rows, k, d, 1).mul(m.create(identity, new Shape(d, d))));
    return new NDList(parts.get(0), parts.get(1).reshape(rows, k, d), diagonal, factor);
  }

  @Override
  NDArray conditionalLogProb(
      NDArray theta, NDArray features, Function<Parameter, NDArray> values) {
    NDManager m = theta.getManager();
    long rows = theta.getShape().get(0);
    int d = thetaDimension;
    NDList mixture = mixture(features, values);
    NDArray deviation = theta.reshape(rows, 1, d).sub(mixture.get(1));
    NDArray whitened =
        mixture.get(3).mul(deviation.reshape(rows, COMPONENTS, 1, d)).sum(new int[] {3});
    NDArray logNormal =
        mixture
            .get(2)
            .log()
            .sum(new int[] {2})
            .sub(whitened.square().sum(new int[] {2}).mul(m.create(0.5f)));
    // log Σ_k softmax(logits)_k N_k = lse(logits + log N) − lse(logits).
    NDArray logits = mixture.get(0);
    return logSumExp(logits.add(logNormal))
        .sub(logSumExp(logits))
        .sub(m.create((float) (0.5 * d * Math.log(2 * Math.PI))));
  }

  @Override
  NDArray conditionalSample(
      NDArray features, RandomGenerator rng, Function<Parameter, NDArray> values) {
    int rows = (int) features.getShape().get(0);
    int d = thetaDimension;
    NDList mixture = mixture(features, values);
    float[] logits = mixture.get(0).toFloatArray();
    float[] means = mixture.get(1).toFloatArray();
    float[] factors = mixture.get(3).toFloatArray();
    float[] theta = new float[rows * d];
    double[] epsilon = new double[d];
    double[] z = new double[d];
    for (int r = 0; r < rows; r++) {
      int k = component(logits, r * COMPONENTS, rng.nextDouble());
      for (int i = 0; i < d; i++) {
        epsilon[i] = rng.nextGaussian();
      }
      // z = U⁻¹ε has covariance U⁻¹U⁻ᵀ = Σ.
      int u = (r * COMPONENTS + k) * d * d;
      for (int i = d - 1; i >= 0; i--) {
        double s = epsilon[i];
        for (int j = i + 1; j < d; j++) {
          s -= factors[u + i * d + j] * z[j];
        }
        z[i] = s / factors[u + i * d + i];
      }
      int mean = (r * COMPONENTS + k) * d;
      for (int i = 0; i < d; i++) {
        theta[r * d + i] = (float) (means[mean + i] + z[i]);
      }
    }
    return features.getManager().create(theta, new Shape(rows, d));
  }

  /** The component whose cumulative softmax weight first exceeds {@code uniform}. */
  private static int component(float[] logits, int offset, double uniform) {
    double largest = Double.NEGATIVE_INFINITY;
    for (int k = 0; k < COMPONENTS; k++) {
      largest = Math.max(largest, logits[offset + k]);
    }
    double total = 0;
    for (int k = 0; k < COMPONENTS; k++) {
      total += Math.exp(logits[offset + k] - largest);
    }
    double cumulative = 0;
    for (int k = 0; k < COMPONENTS - 1; k++) {
      cumulative += Math.exp(logits[offset + k] - largest) / total;
      if (uniform < cumulative) {
        return k;
      }
    }
    return COMPONENTS - 1;
  }
}

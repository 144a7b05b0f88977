package org.streamsbi.trainer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * A conditional masked autoregressive flow q(θ | x) as sbi's {@code maf}: {@code transforms}
 * nflows MaskedAffineAutoregressiveTransforms with a reversal of θ between them and a standard
 * normal base. Inputs are the z-scored θ and x; {@link #forward} returns log q(θ | x) per row.
 *
 * <p>Each MADE is h₁ = tanh(M₁∘W₁·[θ, x] + b₁), h₂ = tanh(M₂∘W₂·h₁ + b₂), [u, shift] = M₃∘W₃·h₂
 * + b₃, and the layer maps θ ↦ θ·scale + shift with scale = softplus(u) + 1e-3, as nflows 0.14
 * that sbi uses. (nflows' older sigmoid(u + 2) + 1e-3 caps the scale near 1, so the flow cannot
 * widen θ towards the base: it cannot fit a posterior narrower than its prior.) nflows adds one
 * more masked linear layer without activation before the first tanh; two linear maps in a row
 * compose to one with the same mask, so it is left out.
 */
final class MaskedAutoregressiveFlow extends ConditionalFlow {
  private static final float SCALE_FLOOR = 1e-3f;
  /**
   * softplus⁻¹(1 − floor): with the near-zero final weights every layer starts as the identity,
   * instead of shrinking θ by softplus(0) ≈ 0.69 per layer.
   */
  private static final float IDENTITY_SCALE_BIAS =
      (float) Math.log(Math.expm1(1 - SCALE_FLOOR));
  private static final float FINAL_LAYER_BOUND = 1e-3f;

  private final List<Conditioner> layers = new ArrayList<>();
  private final float[] inputMask;
  private final float[] hiddenMask;
  private final float[] outputMask;
  private final int hiddenUnits;

  MaskedAutoregressiveFlow(FlowConfig config, int thetaDimension, int contextDimension) {
    super(config, thetaDimension, contextDimension);
    this.hiddenUnits = config.hiddenUnits();
    int in = thetaDimension + featureDimension;
    int h = hiddenUnits;
    for (int l = 0; l < config.transforms(); l++) {
      layers.add(
          conditioner("maf" + l + ".", in, h, 2 * thetaDimension, FINAL_LAYER_BOUND, this::outputBias));
    }
    // nflows' degrees: inputs 1..D, hidden units cycling through [1, D−1] (all 0 when D = 1, so
    // the single θ is conditioned on x only), outputs 1..D for both the scale and shift halves.
    int[] hiddenDegrees = new int[h];
    int cycle = Math.max(1, thetaDimension - 1);
    int offset = Math.min(1, thetaDimension - 1);
    for (int k = 0; k < h; k++) {
      hiddenDegrees[k] = k % cycle + offset;
    }
    inputMask = new float[h * in];
    hiddenMask = new float[h * h];
    outputMask = new float[2 * thetaDimension * h];
    for (int k = 0; k < h; k++) {
      for (int j = 0; j < in; j++) {
        // x is context: every hidden unit may see all of it.
        boolean seen = j >= thetaDimension || hiddenDegrees[k] >= j + 1;
        inputMask[k * in + j] = seen ? 1f : 0f;
      }
      for (int j = 0; j < h; j++) {
        hiddenMask[k * h + j] = hiddenDegrees[k] >= hiddenDegrees[j] ? 1f : 0f;
      }
    }
    for (int o = 0; o < 2 * thetaDimension; o++) {
      int degree = o % thetaDimension + 1;
      for (int j = 0; j < h; j++) {
        outputMask[o * h + j] = degree > hiddenDegrees[j] ? 1f : 0f;
      }
    }
  }

  private NDArray outputBias(NDManager manager, Shape shape, DataType type) {
    float[] bias = new float[2 * thetaDimension];
    Arrays.fill(bias, 0, thetaDimension, IDENTITY_SCALE_BIAS);
    return manager.create(bias, shape);
  }

  /**
   * log q(θ_z | x_z) per row. Every array made here lives in θ's manager: masks and constants are
   * created there and put first in each product, so nothing lands in the model's manager.
   */
  @Override
  NDArray conditionalLogProb(NDArray theta, NDArray context, Function<Parameter, NDArray> values) {
    NDList logScales = new NDList(layers.size());
    NDArray z = toNoise(theta, context, values, logScales);
    return logProbFromNoise(z, NDArrays.concat(logScales, 1).sum(new int[] {1}));
  }

  /** The base-space point of θ_z; adds each layer's log scales (rows × D) to {@code logScales}. */
  NDArray toNoise(
      NDArray theta, NDArray context, Function<Parameter, NDArray> values, NDList logScales) {
    NDManager manager = theta.getManager();
    NDArray[] masks = masks(manager);
    NDArray floor = manager.create(SCALE_FLOOR);
    NDArray z = theta;
    for (int l = 0; l < layers.size(); l++) {
      if (l > 0) {
        z = z.flip(1);
      }
      NDList us = made(layers.get(l), z, context, masks, values);
      NDArray scale = Activation.softPlus(us.get(0)).add(floor);
      logScales.add(scale.log());
      z = z.mul(scale).add(us.get(1));
    }
    return z;
  }

  /**
   * θ_z for base-space noise, inverting layer by layer; each affine autoregressive layer needs D
   * passes, pass k fixing dimension k given the ones before it.
   */
  @Override
  NDArray inverse(NDArray noise, NDArray context, Function<Parameter, NDArray> values) {
    NDManager manager = noise.getManager();
    NDArray[] masks = masks(manager);
    NDArray floor = manager.create(SCALE_FLOOR);
    NDArray y = noise;
    for (int l = layers.size() - 1; l >= 0; l--) {
      NDArray z = manager.zeros(y.getShape());
      for (int pass = 0; pass < thetaDimension; pass++) {
        NDList us = made(layers.get(l), z, context, masks, values);
        NDArray scale = Activation.softPlus(us.get(0)).add(floor);
        z = y.sub(us.get(1)).div(scale);
      }
      y = l > 0 ? z.flip(1) : z;
    }
    return y;
  }

  private NDArray[] masks(NDManager manager) {
    int in = thetaDimension + featureDimension;
    return new NDArray[] {
      manager.create(inputMask, new Shape(hiddenUnits, in)),
      manager.create(hiddenMask, new Shape(hiddenUnits, hiddenUnits)),
      manager.create(outputMask, new Shape(2L * thetaDimension, hiddenUnits))
    };
  }

  /** The unconstrained scale u and the shift, each rows × D. */
  private static NDList made(
      Conditioner made, NDArray z, NDArray context, NDArray[] masks, Function<Parameter, NDArray> v) {
    NDArray in = z.concat(context, 1);
    NDArray h =
        linear(in, masks[0].mul(v.apply(made.inputWeight())), v.apply(made.inputBias())).tanh();
    h = linear(h, masks[1].mul(v.apply(made.hiddenWeight())), v.apply(made.hiddenBias())).tanh();
    return linear(h, masks[2].mul(v.apply(made.outputWeight())), v.apply(made.outputBias()))
        .split(2, 1);
  }

}

package org.streamsbi.trainer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * A conditional neural spline flow q(θ | x) as sbi's {@code nsf}: {@code transforms} nflows
 * PiecewiseRationalQuadraticCouplingTransforms ({@link RationalQuadraticSpline}) with a reversal
 * of θ between them and a standard normal base. Each layer's conditioner is a ReLU network with
 * two hidden layers fed the layer's identity half of θ and x; with a single θ there is no
 * identity half and the conditioner sees x alone, as sbi does for one parameter. sbi's
 * ResidualNet conditioner and its LU-decomposed linear layers between couplings are left out.
 */
final class NeuralSplineFlow extends ConditionalFlow {
  private static final float FINAL_LAYER_BOUND = 1e-3f;
  private static final int P = RationalQuadraticSpline.PARAMETERS_PER_DIMENSION;

  /** Leading columns of θ that condition each layer's spline on the others. */
  private final int identity;
  private final int transformed;
  private final List<Conditioner> layers = new ArrayList<>();
  NeuralSplineFlow(FlowConfig config, int thetaDimension, int contextDimension) {
    super(config, thetaDimension, contextDimension);
    int h = config.hiddenUnits();
    // nflows' alternating masks as a split plus a reversal of θ between layers: the column
    // that conditions one layer is transformed by the next, and a split is one operation where
    // a mask needs a gather and a scatter.
    identity = thetaDimension / 2;
    transformed = thetaDimension - identity;
    int in = identity + featureDimension;
    int out = transformed * P;
    for (int l = 0; l < config.transforms(); l++) {
      layers.add(
          conditioner("nsf" + l + ".", in, h, out, FINAL_LAYER_BOUND, NeuralSplineFlow::identityBias));
    }
  }

  /**
   * Equal bins and slope 1 everywhere: with the near-zero final weights every layer starts as the
   * identity, as the MAF's layers do.
   */
  private static NDArray identityBias(NDManager manager, Shape shape, DataType type) {
    float[] bias = new float[(int) shape.get(0)];
    for (int i = 0; i < bias.length; i++) {
      if (i % P >= 2 * RationalQuadraticSpline.BINS) {
        bias[i] = RationalQuadraticSpline.IDENTITY_DERIVATIVE;
      }
    }
    return manager.create(bias, shape);
  }

  @Override
  NDArray conditionalLogProb(NDArray theta, NDArray context, Function<Parameter, NDArray> values) {
    NDList noise = toNoise(theta, context, values);
    return logProbFromNoise(noise.get(0), noise.get(1));
  }

  /** The base-space point of θ_z (rows × D) and the log|det| of the whole map (rows). */
  NDList toNoise(NDArray theta, NDArray context, Function<Parameter, NDArray> values) {
    NDArray z = theta;
    NDArray logDet = null;
    for (int l = 0; l < layers.size(); l++) {
      if (l > 0) {
        z = z.flip(1);
      }
      NDList step = couple(layers.get(l), z, context, values, false);
      z = step.get(0);
      logDet = logDet == null ? step.get(1) : logDet.add(step.get(1));
    }
    return new NDList(z, logDet);
  }

  @Override
  NDArray inverse(NDArray noise, NDArray context, Function<Parameter, NDArray> values) {
    NDArray theta = noise;
    for (int l = layers.size() - 1; l >= 0; l--) {
      theta = couple(layers.get(l), theta, context, values, true).get(0);
      if (l > 0) {
        theta = theta.flip(1);
      }
    }
    return theta;
  }

  /** One coupling layer forward (or inverse): the new rows × D and log|det| per row. */
  private NDList couple(
      Conditioner layer,
      NDArray z,
      NDArray context,
      Function<Parameter, NDArray> values,
      boolean inverse) {
    long rows = z.getShape().get(0);
    NDArray kept;
    NDArray part;
    NDArray conditionerInput;
    if (identity == 0) {
      kept = null;
      part = z;
      conditionerInput = context;
    } else {
      NDList halves = z.split(new long[] {identity}, 1);
      kept = halves.get(0);
      part = halves.get(1);
      conditionerInput = kept.concat(context, 1);
    }
    NDArray h =
        Activation.relu(
            linear(conditionerInput, values.apply(layer.inputWeight()),
                values.apply(layer.inputBias())));
    h =
        Activation.relu(
            linear(h, values.apply(layer.hiddenWeight()), values.apply(layer.hiddenBias())));
    NDArray splineParameters =
        linear(h, values.apply(layer.outputWeight()), values.apply(layer.outputBias()))
            .reshape(new Shape(rows, transformed, P));
    NDList spline =
        inverse
            ? RationalQuadraticSpline.inverse(part, splineParameters)
            : RationalQuadraticSpline.forward(part, splineParameters);
    NDArray out = kept == null ? spline.get(0) : kept.concat(spline.get(0), 1);
    return new NDList(out, spline.get(1).sum(new int[] {1}));
  }

}

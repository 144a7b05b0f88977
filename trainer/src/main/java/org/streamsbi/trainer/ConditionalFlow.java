package org.streamsbi.trainer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import java.util.function.Function;
import java.util.random.RandomGenerator;

/** A normalizing flow with a standard normal base: draws are the inverse map of base noise. */
abstract class ConditionalFlow extends ConditionalEstimator {

  ConditionalFlow(FlowConfig config, int thetaDimension, int contextDimension) {
    super(config, thetaDimension, contextDimension);
  }

  /** θ_z for base-space noise, in the noise's manager. */
  abstract NDArray inverse(NDArray noise, NDArray features, Function<Parameter, NDArray> values);

  @Override
  final NDArray conditionalSample(
      NDArray features, RandomGenerator rng, Function<Parameter, NDArray> values) {
    int rows = (int) features.getShape().get(0);
    float[] noise = new float[rows * thetaDimension];
    for (int i = 0; i < noise.length; i++) {
      noise[i] = (float) rng.nextGaussian();
    }
    return inverse(
        features.getManager().create(noise, new Shape(rows, thetaDimension)), features, values);
  }
}

package org.streamsbi.trainer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import java.util.function.Function;
import java.util.random.RandomGenerator;

/** A normalizing flow with a standard normal base: draws are the inverse map of base noise. */
abstract class ConditionalFlow extends ConditionalEstimator {

  ConditionalFlow(FlowConfig config, int thetaDimension, int contextDimension) {
    super(config, thetaDimension, contextDimension);
  }

  /**
   * log q per row from the base-space point z (rows × D) and the log|det| of the map to it: log
   * N(z; 0, I) + log|det|. The constants are made in z's manager and come second in each
   * operation, so nothing lands in the model's manager.
   */
  final NDArray logProbFromNoise(NDArray z, NDArray logDet) {
    NDManager manager = z.getManager();
    NDArray half = manager.create(0.5f);
    NDArray normalizer = manager.create((float) (0.5 * thetaDimension * Math.log(2 * Math.PI)));
    return logDet.sub(z.square().sum(new int[] {1}).mul(half)).sub(normalizer);
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

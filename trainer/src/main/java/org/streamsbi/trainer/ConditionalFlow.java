package org.streamsbi.trainer;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import java.util.function.Function;

/**
 * A normalizing flow q(θ_z | x_z) on z-scored θ and x with a standard normal base. As a block its
 * forward takes (θ, x) and returns log q per row, which the NLL loss trains.
 */
interface ConditionalFlow extends Block {

  static ConditionalFlow of(FlowConfig config, int thetaDimension, int contextDimension) {
    return switch (config.estimator()) {
      case MAF -> new MaskedAutoregressiveFlow(config, thetaDimension, contextDimension);
      case NSF -> new NeuralSplineFlow(config, thetaDimension, contextDimension);
    };
  }

  int thetaDimension();

  int contextDimension();

  /**
   * log q(θ_z | x_z) per row; every array made lives in θ's manager.
   *
   * @param values the parameters' arrays: the parameter store's in training, else their own
   */
  NDArray logProb(NDArray theta, NDArray context, Function<Parameter, NDArray> values);

  /** θ_z for base-space noise, in the noise's manager. */
  NDArray inverse(NDArray noise, NDArray context, Function<Parameter, NDArray> values);
}

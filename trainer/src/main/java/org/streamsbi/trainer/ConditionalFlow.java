package org.streamsbi.trainer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.training.initializer.UniformInitializer;
import ai.djl.util.PairList;
import java.util.function.Function;

/**
 * A normalizing flow q(θ_z | x_z) on z-scored θ and x with a standard normal base. As a block its
 * forward takes (θ, x) and returns log q per row, which the NLL loss trains.
 */
abstract class ConditionalFlow extends AbstractBlock {
  private static final byte VERSION = 1;

  final int thetaDimension;
  final int contextDimension;

  ConditionalFlow(int thetaDimension, int contextDimension) {
    super(VERSION);
    if (thetaDimension < 1 || contextDimension < 1) {
      throw new IllegalArgumentException(
          "the flow needs θ and x of at least one dimension, got " + thetaDimension + " and "
              + contextDimension);
    }
    this.thetaDimension = thetaDimension;
    this.contextDimension = contextDimension;
  }

  static ConditionalFlow of(FlowConfig config, int thetaDimension, int contextDimension) {
    return switch (config.estimator()) {
      case MAF -> new MaskedAutoregressiveFlow(config, thetaDimension, contextDimension);
      case NSF -> new NeuralSplineFlow(config, thetaDimension, contextDimension);
    };
  }

  final int thetaDimension() {
    return thetaDimension;
  }

  final int contextDimension() {
    return contextDimension;
  }

  /**
   * log q(θ_z | x_z) per row; every array made lives in θ's manager.
   *
   * @param values the parameters' arrays: the parameter store's in training, else their own
   */
  abstract NDArray logProb(NDArray theta, NDArray context, Function<Parameter, NDArray> values);

  /** θ_z for base-space noise, in the noise's manager. */
  abstract NDArray inverse(NDArray noise, NDArray context, Function<Parameter, NDArray> values);

  final Parameter weight(String name, Shape shape, Initializer initializer) {
    return addParameter(
        Parameter.builder()
            .setName(name)
            .setType(Parameter.Type.WEIGHT)
            .optShape(shape)
            .optInitializer(initializer)
            .build());
  }

  /**
   * The parameters of a conditioner network with two hidden layers: input → hidden → hidden →
   * output, as both flows' layers use (masked in the MAF, plain in the NSF).
   */
  record Conditioner(
      Parameter inputWeight,
      Parameter inputBias,
      Parameter hiddenWeight,
      Parameter hiddenBias,
      Parameter outputWeight,
      Parameter outputBias) {}

  /**
   * Registers a conditioner's parameters under {@code prefix}: PyTorch's default initialisation,
   * except a near-zero output weight so that the layer starts close to the identity that {@code
   * outputBias} sets.
   */
  final Conditioner conditioner(
      String prefix, int in, int hidden, int out, float outputBound, Initializer outputBias) {
    return new Conditioner(
        weight(prefix + "input.weight", new Shape(hidden, in), uniform(in)),
        weight(prefix + "input.bias", new Shape(hidden), uniform(in)),
        weight(prefix + "hidden.weight", new Shape(hidden, hidden), uniform(hidden)),
        weight(prefix + "hidden.bias", new Shape(hidden), uniform(hidden)),
        weight(prefix + "output.weight", new Shape(out, hidden), new UniformInitializer(outputBound)),
        weight(prefix + "output.bias", new Shape(out), outputBias));
  }

  /** PyTorch's nn.Linear default: U(−1/√fan_in, 1/√fan_in) for weights and biases. */
  static Initializer uniform(int fanIn) {
    return new UniformInitializer((float) (1 / Math.sqrt(fanIn)));
  }

  static NDArray linear(NDArray input, NDArray weight, NDArray bias) {
    return Linear.linear(input, weight, bias).singletonOrThrow();
  }

  @Override
  protected final NDList forwardInternal(
      ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray theta = inputs.get(0);
    return new NDList(
        logProb(theta, inputs.get(1), p -> store.getValue(p, theta.getDevice(), training)));
  }

  @Override
  public final Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[] {new Shape(inputShapes[0].get(0))};
  }
}

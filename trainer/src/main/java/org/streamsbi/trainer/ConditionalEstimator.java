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
import java.util.random.RandomGenerator;

/**
 * A conditional density estimator q(θ_z | x_z) on z-scored θ and x: an optional {@link Embedding}
 * network from x to features, trained with it, and a density of θ given the features (a flow or a
 * mixture). As a block its forward takes (θ, x) and returns log q per row, which the NLL loss
 * trains.
 */
abstract class ConditionalEstimator extends AbstractBlock {
  private static final byte VERSION = 1;

  final int thetaDimension;
  final int contextDimension;
  /** The size of what the density conditions on: x's, or the embedding's output. */
  final int featureDimension;
  /** Null without an embedding network. */
  private final EmbeddingNet embedding;

  ConditionalEstimator(FlowConfig config, int thetaDimension, int contextDimension) {
    super(VERSION);
    if (thetaDimension < 1 || contextDimension < 1) {
      throw new IllegalArgumentException(
          "the estimator needs θ and x of at least one dimension, got " + thetaDimension + " and "
              + contextDimension);
    }
    this.thetaDimension = thetaDimension;
    this.contextDimension = contextDimension;
    // Registered first, so an estimator without embedding keeps the parameter layout of files
    // written before embeddings existed.
    this.embedding =
        config.embedding().kind() == Embedding.Kind.NONE
            ? null
            : new EmbeddingNet(config.embedding(), contextDimension, this);
    this.featureDimension = config.embedding().outputDimension(contextDimension);
  }

  static ConditionalEstimator of(FlowConfig config, int thetaDimension, int contextDimension) {
    if (config.ensemble() > 1) {
      return new Ensemble(config, thetaDimension, contextDimension);
    }
    return switch (config.estimator()) {
      case MAF -> new MaskedAutoregressiveFlow(config, thetaDimension, contextDimension);
      case NSF -> new NeuralSplineFlow(config, thetaDimension, contextDimension);
      case MDN -> new MixtureDensityNetwork(config, thetaDimension, contextDimension);
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
  final NDArray logProb(NDArray theta, NDArray context, Function<Parameter, NDArray> values) {
    return conditionalLogProb(theta, features(context, values), values);
  }

  /**
   * What training with the NPE loss maximises: log q itself, but for an {@link Ensemble}, whose
   * members each fit on their own.
   */
  NDArray trainingLogProb(NDArray theta, NDArray context, Function<Parameter, NDArray> values) {
    return logProb(theta, context, values);
  }

  /** One draw θ_z ~ q(θ_z | x_z) per row of the context, in the context's manager. */
  final NDArray sample(NDArray context, RandomGenerator rng, Function<Parameter, NDArray> values) {
    return conditionalSample(features(context, values), rng, values);
  }

  /** What the density conditions on: x itself, or its embedding. */
  final NDArray features(NDArray context, Function<Parameter, NDArray> values) {
    return embedding == null ? context : embedding.apply(context, values);
  }

  /** log q(θ_z | features) per row, in θ's manager. */
  abstract NDArray conditionalLogProb(
      NDArray theta, NDArray features, Function<Parameter, NDArray> values);

  /** One draw per row of the features, in their manager, with all randomness from {@code rng}. */
  abstract NDArray conditionalSample(
      NDArray features, RandomGenerator rng, Function<Parameter, NDArray> values);

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
   * The parameters of a network with two hidden layers: input → hidden → hidden → output, as the
   * flows' layers (masked in the MAF, plain in the NSF), the MDN and the MLP embedding use.
   */
  record Conditioner(
      Parameter inputWeight,
      Parameter inputBias,
      Parameter hiddenWeight,
      Parameter hiddenBias,
      Parameter outputWeight,
      Parameter outputBias) {}

  /** Registers a network's parameters under {@code prefix}, with PyTorch's default hidden layers. */
  final Conditioner conditioner(
      String prefix, int in, int hidden, int out, Initializer outputWeight, Initializer outputBias) {
    return new Conditioner(
        weight(prefix + "input.weight", new Shape(hidden, in), uniform(in)),
        weight(prefix + "input.bias", new Shape(hidden), uniform(in)),
        weight(prefix + "hidden.weight", new Shape(hidden, hidden), uniform(hidden)),
        weight(prefix + "hidden.bias", new Shape(hidden), uniform(hidden)),
        weight(prefix + "output.weight", new Shape(out, hidden), outputWeight),
        weight(prefix + "output.bias", new Shape(out), outputBias));
  }

  /**
   * A conditioner whose near-zero output weight makes the layer start close to what {@code
   * outputBias} sets (the identity, for the flows).
   */
  final Conditioner conditioner(
      String prefix, int in, int hidden, int out, float outputBound, Initializer outputBias) {
    return conditioner(prefix, in, hidden, out, new UniformInitializer(outputBound), outputBias);
  }

  /** PyTorch's nn.Linear default: U(−1/√fan_in, 1/√fan_in) for weights and biases. */
  static Initializer uniform(int fanIn) {
    return new UniformInitializer((float) (1 / Math.sqrt(fanIn)));
  }

  /**
   * log Σ exp over axis 1 of a rows × K array. Written out with the largest term subtracted as a
   * constant (the result's gradient does not depend on it) because PyTorch's softmax kernels cost
   * ~300 µs a call at these sizes on one thread.
   */
  static NDArray logSumExp(NDArray values) {
    NDArray largest = values.max(new int[] {1}, true).stopGradient();
    return values.sub(largest).exp().sum(new int[] {1}).log().add(largest.squeeze(1));
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

package org.streamsbi.trainer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv1d;
import ai.djl.nn.pooling.Pool;
import java.util.function.Function;

/**
 * The {@link Embedding} network of an estimator: its parameters are registered on the estimator
 * block under {@code embedding.}, so they are trained, saved and restored with it.
 */
final class EmbeddingNet {
  private static final String PREFIX = "embedding.";
  private static final int POOL = 2;
  private static final int CONVOLUTIONS = 2;

  private final Embedding config;
  /** The MLP's layers; null for the CNN. */
  private final ConditionalEstimator.Conditioner mlp;
  /** The CNN's weights and biases: two convolutions, then the linear map; null for the MLP. */
  private final Parameter[] cnn;
  private final int pooledLength;

  EmbeddingNet(Embedding config, int xDimension, ConditionalEstimator owner) {
    this.config = config;
    int units = config.units();
    if (config.kind() == Embedding.Kind.MLP) {
      mlp =
          owner.conditioner(
              PREFIX,
              xDimension,
              units,
              config.features(),
              ConditionalEstimator.uniform(units),
              ConditionalEstimator.uniform(units));
      cnn = null;
      pooledLength = 0;
    } else {
      pooledLength = xDimension / (POOL * POOL);
      if (pooledLength < 1) {
        throw new IllegalArgumentException(
            "flow.embedding: the CNN pools x twice by " + POOL + " and needs at least "
                + POOL * POOL + " values, x has " + xDimension);
      }
      int k = config.kernel();
      int flat = units * pooledLength;
      mlp = null;
      cnn =
          new Parameter[] {
            owner.weight(PREFIX + "conv0.weight", new Shape(units, 1, k), ConditionalEstimator.uniform(k)),
            owner.weight(PREFIX + "conv0.bias", new Shape(units), ConditionalEstimator.uniform(k)),
            owner.weight(
                PREFIX + "conv1.weight",
                new Shape(units, units, k),
                ConditionalEstimator.uniform(units * k)),
            owner.weight(PREFIX + "conv1.bias", new Shape(units), ConditionalEstimator.uniform(units * k)),
            owner.weight(
                PREFIX + "linear.weight",
                new Shape(config.features(), flat),
                ConditionalEstimator.uniform(flat)),
            owner.weight(PREFIX + "linear.bias", new Shape(config.features()), ConditionalEstimator.uniform(flat))
          };
    }
  }

  /** The features of z-scored x (rows × x dimension), rows × features, in x's manager. */
  NDArray apply(NDArray x, Function<Parameter, NDArray> v) {
    if (mlp != null) {
      NDArray h =
          Activation.relu(ConditionalEstimator.linear(x, v.apply(mlp.inputWeight()), v.apply(mlp.inputBias())));
      h = Activation.relu(ConditionalEstimator.linear(h, v.apply(mlp.hiddenWeight()), v.apply(mlp.hiddenBias())));
      return ConditionalEstimator.linear(h, v.apply(mlp.outputWeight()), v.apply(mlp.outputBias()));
    }
    long rows = x.getShape().get(0);
    Shape one = new Shape(1);
    Shape pool = new Shape(POOL);
    // "Same" padding: each convolution keeps the length, each pooling halves it (rounding down).
    Shape padding = new Shape(config.kernel() / 2);
    NDArray h = x.reshape(rows, 1, x.getShape().get(1));
    for (int c = 0; c < CONVOLUTIONS; c++) {
      h =
          Conv1d.conv1d(h, v.apply(cnn[2 * c]), v.apply(cnn[2 * c + 1]), one, padding, one, 1)
              .singletonOrThrow();
      h = Pool.maxPool1d(Activation.relu(h), pool, pool, new Shape(0), false);
    }
    return ConditionalEstimator.linear(
        h.reshape(rows, (long) config.units() * pooledLength),
        v.apply(cnn[2 * CONVOLUTIONS]),
        v.apply(cnn[2 * CONVOLUTIONS + 1]));
  }
}

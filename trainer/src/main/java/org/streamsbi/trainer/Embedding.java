package org.streamsbi.trainer;

/**
 * The network that maps z-scored x to the features the estimator conditions on, trained jointly
 * with it, as sbi's {@code embedding_net}: none (x itself), an MLP, or a 1-D CNN for time series.
 *
 * @param kind which network
 * @param units hidden units of each of the MLP's two hidden layers, or channels of each of the
 *     CNN's two convolutions; 0 for none
 * @param kernel the CNN's convolution width, odd so that padding keeps the length; 0 otherwise
 * @param features the output size; 0 for none
 */
public record Embedding(Kind kind, int units, int kernel, int features) {

  /** The embedding network's architecture. */
  public enum Kind {
    /** The estimator conditions on z-scored x directly. */
    NONE,
    /** Two ReLU hidden layers and a linear output, as sbi's FCEmbedding. */
    MLP,
    /**
     * Two convolutions over x as one channel, each with ReLU and max-pooling by 2, then a linear
     * map to the features, as sbi's CNNEmbedding.
     */
    CNN
  }

  public Embedding {
    if (kind == null) {
      throw new IllegalArgumentException("flow.embedding.kind must be given");
    }
    if (kind == Kind.NONE) {
      if (units != 0 || kernel != 0 || features != 0) {
        throw new IllegalArgumentException(
            "flow.embedding: no embedding takes no units, kernel or features");
      }
    } else {
      if (units < 1) {
        throw new IllegalArgumentException(
            "flow.embedding.units must be at least 1, got " + units);
      }
      if (features < 1) {
        throw new IllegalArgumentException(
            "flow.embedding.features must be at least 1, got " + features);
      }
      if (kind == Kind.CNN && (kernel < 1 || kernel % 2 == 0)) {
        throw new IllegalArgumentException(
            "flow.embedding.kernel must be odd and positive, got " + kernel);
      }
      if (kind == Kind.MLP && kernel != 0) {
        throw new IllegalArgumentException("flow.embedding.kernel is for the CNN only");
      }
    }
  }

  public static Embedding none() {
    return new Embedding(Kind.NONE, 0, 0, 0);
  }

  public static Embedding mlp(int units, int features) {
    return new Embedding(Kind.MLP, units, 0, features);
  }

  public static Embedding cnn(int channels, int kernel, int features) {
    return new Embedding(Kind.CNN, channels, kernel, features);
  }

  /** sbi's FCEmbedding sizes: 50 hidden units, 20 features. */
  public static Embedding mlpDefaults() {
    return mlp(50, 20);
  }

  /** Close to sbi's CNNEmbedding: 8 channels, kernel 5, 20 features. */
  public static Embedding cnnDefaults() {
    return cnn(8, 5, 20);
  }

  /** The size of what the estimator conditions on, for x of {@code xDimension} values. */
  int outputDimension(int xDimension) {
    return kind == Kind.NONE ? xDimension : features;
  }
}

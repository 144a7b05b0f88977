package org.streamsbi.trainer;

import java.util.Locale;

/**
 * Shape of the conditional density estimator, as sbi's {@code maf}, {@code nsf} and {@code mdn}.
 *
 * @param estimator the estimator family
 * @param transforms autoregressive or coupling layers of a flow (sbi: 5); the MDN has none and
 *     ignores it
 * @param hiddenUnits units in each of the two hidden layers of every layer's network, or of the
 *     MDN's network (sbi: 50)
 * @param embedding the network from x to the estimator's conditioning features
 * @param logitTransform whether θ of a BoxUniform prior is mapped to logit((θ − low)/(high − low))
 *     before z-scoring, so that the estimator lives in unbounded space and every draw is inside
 *     the box
 * @param ensemble estimators of this shape trained side by side from different initial weights,
 *     whose posterior is their equal-weight mixture (sbi's NeuralPosteriorEnsemble); 1 for a
 *     single estimator
 */
public record FlowConfig(
    Estimator estimator,
    int transforms,
    int hiddenUnits,
    Embedding embedding,
    boolean logitTransform,
    int ensemble) {

  public FlowConfig {
    if (estimator == null) {
      throw new IllegalArgumentException("flow.estimator must be given");
    }
    if (transforms < 1) {
      throw new IllegalArgumentException("flow.transforms must be at least 1, got " + transforms);
    }
    if (hiddenUnits < 1) {
      throw new IllegalArgumentException("flow.hiddenUnits must be at least 1, got " + hiddenUnits);
    }
    if (embedding == null) {
      throw new IllegalArgumentException("flow.embedding must be given (Embedding.none() for none)");
    }
    if (ensemble < 1) {
      throw new IllegalArgumentException("flow.ensemble must be at least 1, got " + ensemble);
    }
  }

  /** No embedding network and no logit transform. */
  public FlowConfig(Estimator estimator, int transforms, int hiddenUnits) {
    this(estimator, transforms, hiddenUnits, Embedding.none(), false, 1);
  }

  /** A masked autoregressive flow. */
  public FlowConfig(int transforms, int hiddenUnits) {
    this(Estimator.MAF, transforms, hiddenUnits);
  }

  /** sbi's defaults: a MAF of 5 transforms of 50 hidden units. */
  public static FlowConfig defaults() {
    return new FlowConfig(5, 50);
  }

  /** sbi's defaults for {@code estimator}: 5 transforms (for a flow) of 50 hidden units. */
  public static FlowConfig defaults(Estimator estimator) {
    return new FlowConfig(estimator, 5, 50);
  }

  /** This configuration with {@code embedding} for x. */
  public FlowConfig withEmbedding(Embedding embedding) {
    return new FlowConfig(estimator, transforms, hiddenUnits, embedding, logitTransform, ensemble);
  }

  /** This configuration with the logit transform of bounded θ on or off. */
  public FlowConfig withLogitTransform(boolean logitTransform) {
    return new FlowConfig(estimator, transforms, hiddenUnits, embedding, logitTransform, ensemble);
  }

  /**
   * As run and bench headers print it, e.g. "nsf (5 transforms of 50 hidden units, logit
   * transform, ensemble of 3)".
   */
  public String describe() {
    return estimator.name().toLowerCase(Locale.ROOT) + " (" + transforms + " transforms of "
        + hiddenUnits + " hidden units" + (logitTransform ? ", logit transform" : "")
        + (ensemble > 1 ? ", ensemble of " + ensemble : "") + ")";
  }

  /** This configuration as an ensemble of {@code members} estimators; 1 for a single one. */
  public FlowConfig withEnsemble(int members) {
    return new FlowConfig(estimator, transforms, hiddenUnits, embedding, logitTransform, members);
  }
}

package org.streamsbi.trainer;

/**
 * Shape of the conditional flow, as sbi's {@code maf} and {@code nsf} density estimators.
 *
 * @param estimator the flow family
 * @param transforms autoregressive or coupling layers (sbi: 5)
 * @param hiddenUnits units in each of the two hidden layers of every layer's network (sbi: 50)
 */
public record FlowConfig(Estimator estimator, int transforms, int hiddenUnits) {

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
  }

  /** A masked autoregressive flow. */
  public FlowConfig(int transforms, int hiddenUnits) {
    this(Estimator.MAF, transforms, hiddenUnits);
  }

  /** sbi's defaults: a MAF of 5 transforms of 50 hidden units. */
  public static FlowConfig defaults() {
    return new FlowConfig(5, 50);
  }

  /** sbi's defaults for {@code estimator}: 5 transforms of 50 hidden units. */
  public static FlowConfig defaults(Estimator estimator) {
    return new FlowConfig(estimator, 5, 50);
  }
}

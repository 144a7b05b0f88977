package org.streamsbi.trainer;

/**
 * Shape of the conditional masked autoregressive flow, as sbi's {@code maf} density estimator.
 *
 * @param transforms autoregressive layers (sbi: 5)
 * @param hiddenUnits units in each of the two hidden layers of every MADE (sbi: 50)
 */
public record FlowConfig(int transforms, int hiddenUnits) {

  public FlowConfig {
    if (transforms < 1) {
      throw new IllegalArgumentException("flow.transforms must be at least 1, got " + transforms);
    }
    if (hiddenUnits < 1) {
      throw new IllegalArgumentException("flow.hiddenUnits must be at least 1, got " + hiddenUnits);
    }
  }

  /** sbi's defaults: 5 transforms of 50 hidden units. */
  public static FlowConfig defaults() {
    return new FlowConfig(5, 50);
  }
}

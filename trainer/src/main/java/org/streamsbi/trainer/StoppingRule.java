package org.streamsbi.trainer;

/** Decides at each validation whether training ends. */
@FunctionalInterface
public interface StoppingRule {

  boolean shouldStop(TrainingProgress progress);

  /**
   * Stops once the validation loss has not improved for {@code validations} validations in a row;
   * with one validation per epoch this is sbi's {@code stop_after_epochs}.
   */
  static StoppingRule patience(int validations) {
    if (validations < 1) {
      throw new IllegalArgumentException("patience must be at least 1, got " + validations);
    }
    return p -> p.validationsSinceImprovement() >= validations;
  }

  /** Stops at the first validation at or after {@code steps} steps. */
  static StoppingRule maxSteps(long steps) {
    return p -> p.step() >= steps;
  }

  default StoppingRule or(StoppingRule other) {
    return p -> shouldStop(p) || other.shouldStop(p);
  }
}

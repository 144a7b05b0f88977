package org.streamsbi.trainer;

import ai.djl.training.tracker.Tracker;

/**
 * The learning rate a {@link LearningRateSchedule} gives at each Adam update. Step-based
 * schedules are DJL trackers; a plateau schedule also follows the validations, and the scale it
 * reached is part of a checkpoint.
 */
final class LearningRate implements Tracker {
  private final LearningRateSchedule schedule;
  private final Tracker steps;
  private final int warmUpSteps;
  private volatile double plateauScale = 1;
  private volatile int held;

  LearningRate(double base, LearningRateSchedule schedule) {
    this.schedule = schedule;
    this.warmUpSteps =
        schedule instanceof LearningRateSchedule.WarmUpCosine cosine ? cosine.warmUpSteps() : 0;
    if (schedule instanceof LearningRateSchedule.WarmUpCosine cosine) {
      Tracker decay =
          Tracker.cosine()
              .setBaseValue((float) base)
              .optFinalValue((float) (base * cosine.finalFactor()))
              .setMaxUpdates(cosine.decaySteps())
              .build();
      steps =
          cosine.warmUpSteps() == 0
              ? decay
              : Tracker.warmUp().optWarmUpSteps(cosine.warmUpSteps()).setMainTracker(decay).build();
    } else {
      steps = Tracker.fixed((float) base);
    }
  }

  @Override
  public float getNewValue(int numUpdate) {
    return (float) (steps.getNewValue(numUpdate - held) * plateauScale);
  }

  /**
   * Told before update {@code numUpdate} whether samples are still arriving; past the warm-up such
   * an update does not advance the decay.
   */
  void beforeUpdate(int numUpdate, boolean samplesArriving) {
    if (samplesArriving && numUpdate - held > warmUpSteps) {
      held++;
    }
  }

  /** Updates whose progress through the schedule was held, for a checkpoint. */
  int held() {
    return held;
  }

  void restoreHeld(int updates) {
    held = updates;
  }

  /**
   * Told of every validation: a plateau schedule lowers the rate after its patience runs out, once
   * the samples are in.
   */
  void validated(int validationsSinceImprovement, boolean samplesArriving) {
    if (!samplesArriving
        && schedule instanceof LearningRateSchedule.ReduceOnPlateau plateau
        && validationsSinceImprovement > 0
        && validationsSinceImprovement % plateau.patience() == 0) {
      plateauScale = Math.max(plateau.minFactor(), plateauScale * plateau.factor());
    }
  }

  /** The multiplier a plateau schedule has reached, 1 for the others. */
  double plateauScale() {
    return plateauScale;
  }

  void restorePlateauScale(double scale) {
    plateauScale = scale;
  }

  /** The rate of the latest update, for reporting. */
  double current(int numUpdate) {
    return getNewValue(Math.max(1, numUpdate));
  }
}

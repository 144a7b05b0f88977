package org.streamsbi.controller;

import java.util.function.BooleanSupplier;
import org.streamsbi.trainer.StoppingRule;
import org.streamsbi.trainer.TrainingProgress;

/**
 * Ends training once every simulation of the round has arrived and the validation loss has not
 * improved for a patience window, or once the learning rate has also settled and {@link
 * #SETTLED_VALIDATIONS} validations chose the best on the complete data. Before all samples are
 * in, new data can still lower the loss, so a plateau then is no reason to stop.
 */
final class PlateauAfterArrival implements StoppingRule {
  /**
   * A trainer that kept up with a trickling budget has taken its decay by the last arrival. At the
   * settled rate the validation loss still creeps down by a few thousandths, often enough to reset
   * a patience of 20 for 2,000 steps (two_moons, 10,000 simulations): 40 s of a loaded 2-core
   * machine after the last sample, for nothing a C2ST sees.
   */
  static final int SETTLED_VALIDATIONS = 5;
  private final BooleanSupplier allArrived;
  private final int patience;
  private int settledValidations;

  PlateauAfterArrival(BooleanSupplier allArrived, int patience) {
    this.allArrived = allArrived;
    this.patience = patience;
  }

  @Override
  public boolean shouldStop(TrainingProgress progress) {
    if (!allArrived.getAsBoolean()) {
      return false;
    }
    if (progress.learningRateSettled() && ++settledValidations >= SETTLED_VALIDATIONS) {
      return true;
    }
    return progress.validationsSinceImprovement() >= patience;
  }
}

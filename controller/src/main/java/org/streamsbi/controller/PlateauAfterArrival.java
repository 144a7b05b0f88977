package org.streamsbi.controller;

import java.util.function.BooleanSupplier;
import org.streamsbi.trainer.StoppingRule;
import org.streamsbi.trainer.TrainingProgress;

/**
 * Ends training once every simulation of the round has arrived and the validation loss has not
 * improved for a patience window. Before all samples are in, new data can still lower the loss,
 * so a plateau then is no reason to stop.
 */
final class PlateauAfterArrival implements StoppingRule {
  private final BooleanSupplier allArrived;
  private final int patience;

  PlateauAfterArrival(BooleanSupplier allArrived, int patience) {
    this.allArrived = allArrived;
    this.patience = patience;
  }

  @Override
  public boolean shouldStop(TrainingProgress progress) {
    return progress.validationsSinceImprovement() >= patience && allArrived.getAsBoolean();
  }
}

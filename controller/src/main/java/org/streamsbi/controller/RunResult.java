package org.streamsbi.controller;

import java.util.List;
import org.streamsbi.trainer.Posterior;

/**
 * The trained posterior q(θ | x) and what the run did; closing it frees the network.
 *
 * @param refreshes the truncation regions a sequential run proposed from, in order; empty for npe
 */
public record RunResult(Posterior posterior, RunSummary summary, List<Refresh> refreshes)
    implements AutoCloseable {

  public RunResult {
    refreshes = List.copyOf(refreshes);
  }

  public RunResult(Posterior posterior, RunSummary summary) {
    this(posterior, summary, List.of());
  }

  /**
   * One truncation region of a sequential run.
   *
   * @param round the round whose proposals it drew
   * @param trainingSteps steps of the training that produced its posterior (the round's training
   *     with barriers; the running training's count without)
   * @param priorMass estimated prior mass of the region
   * @param elapsedSeconds since the run started, when the region was ready
   */
  public record Refresh(int round, long trainingSteps, double priorMass, double elapsedSeconds) {}

  @Override
  public void close() {
    posterior.close();
  }
}

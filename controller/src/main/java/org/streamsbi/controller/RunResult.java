package org.streamsbi.controller;

import org.streamsbi.trainer.Posterior;

/** The trained posterior q(θ | x) and what the run did; closing it frees the network. */
public record RunResult(Posterior posterior, RunSummary summary) implements AutoCloseable {

  @Override
  public void close() {
    posterior.close();
  }
}

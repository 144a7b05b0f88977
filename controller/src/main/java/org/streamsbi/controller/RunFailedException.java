package org.streamsbi.controller;

/** A run that cannot produce a posterior; the message says why, the summary what it did until then. */
public final class RunFailedException extends RuntimeException {
  private final transient RunSummary summary;

  RunFailedException(String message, RunSummary summary) {
    super(message);
    this.summary = summary;
  }

  /** The counts and phase times of the run up to its failure. */
  public RunSummary summary() {
    return summary;
  }
}

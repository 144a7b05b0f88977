package org.streamsbi.controller;

/**
 * A run as it stands, reported about once a second to listeners and to the run's events topic.
 *
 * @param run the run's name
 * @param phase what the run is doing
 * @param elapsedSeconds since the run started
 * @param simulations the budget
 * @param samples distinct samples received, kept or set aside
 * @param failedProposals proposals workers gave up on
 * @param trainingSamples rows in the buffer's training split
 * @param validationSamples rows in the buffer's validation split
 * @param steps training steps taken
 * @param trainingLoss mean −log q(θ|x) over the last validation interval; NaN before training
 * @param validationLoss −log q(θ|x) on the validation split at the last validation; NaN before
 * @param bestValidationLoss the lowest validation loss so far; NaN before the first validation
 * @param trainingLagEpisodes times training fell behind simulation: the trainer drew less than
 *     the buffer's samples-per-insert ratio allows, beyond its error buffer
 * @param trainingSamplesPerSecond rows trained on per second over the last validation interval;
 *     NaN before the first validation
 * @param waitingForDataSeconds time the trainer spent getting minibatches, at the last validation
 */
public record RunProgress(
    String run,
    Phase phase,
    double elapsedSeconds,
    int simulations,
    long samples,
    long failedProposals,
    long trainingSamples,
    long validationSamples,
    long steps,
    double trainingLoss,
    double validationLoss,
    double bestValidationLoss,
    long trainingLagEpisodes,
    double trainingSamplesPerSecond,
    double waitingForDataSeconds) {

  /** What a run is doing. */
  public enum Phase {
    /** Waiting for the buffer's watermark. */
    SIMULATING,
    /** Training while samples may still arrive. */
    TRAINING,
    /** Training has stopped. */
    DONE
  }
}

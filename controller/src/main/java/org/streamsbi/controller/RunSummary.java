package org.streamsbi.controller;

import java.util.Map;

/**
 * What a finished run did, as {@code summary.json} reports it.
 *
 * @param run the run's name
 * @param simulations the budget
 * @param samples distinct samples received
 * @param failedProposals proposals workers gave up on (see the dead-letter topic)
 * @param failedProposalsByFailure the same by failure: failed (crash, non-zero exit), timed-out,
 *     invalid-output (unparsable, NaN, wrong dimension)
 * @param abandonedProposals proposals never simulated because the run stopped first (its
 *     simulator looked broken, or it failed): each is a dead letter with failure abandoned, and
 *     with the proposals that gave samples and those that failed they make up the budget
 * @param nonFiniteSamples samples set aside for NaN or ±∞
 * @param duplicateSamples repeated samples dropped
 * @param trainingSamples rows in the training split at the end
 * @param validationSamples rows in the validation split at the end
 * @param trainingSteps Adam steps taken
 * @param finalValidationLoss validation loss of the parameters kept (the best validated)
 * @param dataWaitShare share of the trainer's wall time (from when it started waiting for the
 *     watermark until it stopped) spent waiting for data: for the watermark, and for minibatches
 * @param seconds wall time per phase
 */
public record RunSummary(
    String run,
    int simulations,
    long samples,
    long failedProposals,
    Map<String, Long> failedProposalsByFailure,
    long abandonedProposals,
    long nonFiniteSamples,
    long duplicateSamples,
    long trainingSamples,
    long validationSamples,
    long trainingSteps,
    double finalValidationLoss,
    double dataWaitShare,
    Seconds seconds) {

  /**
   * @param brokerStart starting the embedded broker (0 for an external cluster) and creating the
   *     run's topics
   * @param simulation from the first proposal sent until every simulation arrived
   * @param waitingForWatermark from the first proposal until training could start
   * @param training from the start of training until it stopped, overlapping simulation
   * @param waitingForData of the training time, the part the trainer spent getting minibatches:
   *     blocked by the buffer's rate limiter, or drawing them
   * @param total the whole run
   */
  public record Seconds(
      double brokerStart,
      double simulation,
      double waitingForWatermark,
      double training,
      double waitingForData,
      double total) {}
}

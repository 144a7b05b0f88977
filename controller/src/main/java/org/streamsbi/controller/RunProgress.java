package org.streamsbi.controller;

import java.util.List;
import java.util.Map;
import org.streamsbi.broker.BrokerHealth;

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
 * @param steps training steps taken, over all rounds
 * @param trainingLoss mean −log q(θ|x) over the last validation interval; NaN before training
 * @param validationLoss −log q(θ|x) on the validation split at the last validation; NaN before
 * @param bestValidationLoss the lowest validation loss so far; NaN before the first validation
 * @param trainingLagEpisodes times training fell behind simulation: the trainer drew less than
 *     the buffer's samples-per-insert ratio allows, beyond its error buffer
 * @param trainingSamplesPerSecond rows trained on per second over the last validation interval;
 *     NaN before the first validation
 * @param waitingForDataSeconds time the trainer spent getting minibatches, at the last validation
 * @param learningRate Adam's step size at the last validation, as the schedule set it; NaN before
 * @param insertsPerSecond training samples inserted into the buffer per second since the last report
 * @param drawsPerSecond rows the trainer drew from the buffer per second since the last report
 * @param drawsPerInsert the put/get balance since the last report: rows drawn per insert
 * @param bufferCapacity training samples the buffer holds at most
 * @param deadLetters records set aside on the dead-letter topic, of any kind
 * @param workers per simulation worker, as the samples and dead letters name it
 * @param method npe, snpe, tsnpe or tsnpe-async
 * @param round the round whose proposals were published last (1 for npe)
 * @param rounds rounds the budget is split into
 * @param deadLettersByKind dead letters by what they set aside: proposals, samples, ...
 * @param recentDeadLetters the latest dead letters, newest last, with their reasons
 * @param broker whether the cluster answers, or how long the run has waited for it
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
    double waitingForDataSeconds,
    double learningRate,
    double insertsPerSecond,
    double drawsPerSecond,
    double drawsPerInsert,
    int bufferCapacity,
    long deadLetters,
    List<Worker> workers,
    String method,
    int round,
    int rounds,
    Map<String, Long> deadLettersByKind,
    List<DeadLetter> recentDeadLetters,
    Broker broker) {

  public RunProgress {
    broker = broker == null ? Broker.ANSWERING : broker;
    workers = workers == null ? List.of() : List.copyOf(workers);
    deadLettersByKind = deadLettersByKind == null ? Map.of() : Map.copyOf(deadLettersByKind);
    recentDeadLetters = recentDeadLetters == null ? List.of() : List.copyOf(recentDeadLetters);
  }

  /**
   * One record set aside on the dead-letter topic, as its headers describe it.
   *
   * @param kind what it set aside: proposals, proposal, samples, ...
   * @param reason why
   * @param proposalId the proposal concerned, or null
   * @param worker the worker that set it aside, or null
   */
  public record DeadLetter(String kind, String reason, String proposalId, String worker) {}

  /**
   * One simulation worker, in the run or elsewhere, seen through what it wrote.
   *
   * @param worker the worker id the samples and dead letters carry
   * @param samples distinct samples it wrote
   * @param failedProposals proposals it gave up on
   * @param samplesPerSecond its samples per second since the last report
   * @param meanSimulationSeconds mean wall time of its simulations, as its samples report; NaN
   *     before its first sample
   * @param circuitBreaker CLOSED, OPEN or HALF_OPEN for a worker in the run's JVM; empty for
   *     workers elsewhere, which announce changes on the events topic themselves
   */
  public record Worker(
      String worker,
      long samples,
      long failedProposals,
      double samplesPerSecond,
      double meanSimulationSeconds,
      String circuitBreaker) {}

  /**
   * The cluster as the run sees it.
   *
   * @param state connected, waiting for it to answer again, or lost
   * @param silentSeconds how long it has not answered; 0 while it answers
   * @param outageLimitSeconds how long the run waits before it stops
   */
  public record Broker(BrokerHealth.State state, double silentSeconds, double outageLimitSeconds) {
    static final Broker ANSWERING = new Broker(BrokerHealth.State.CONNECTED, 0, Double.NaN);

    /** True while the run waits for the broker. */
    public boolean waiting() {
      return state != BrokerHealth.State.CONNECTED;
    }
  }

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

package org.streamsbi.core;

import java.util.Arrays;
import java.util.Objects;

/**
 * One simulation result: parameters θ and the simulator output x, with the provenance needed to
 * deduplicate it, attribute it to a round and reproduce it.
 *
 * @param sampleId unique id; a redelivered proposal yields the same id, so duplicates can be dropped
 * @param runId the run this sample belongs to
 * @param round the proposal round (1 = prior)
 * @param proposalId the proposal that asked for this simulation
 * @param seed the seed the simulator was given
 * @param theta parameters θ
 * @param x simulator output
 * @param worker the worker that ran the simulation
 * @param simulationSeconds wall time of the simulation
 */
public record Sample(
    String sampleId,
    String runId,
    int round,
    String proposalId,
    long seed,
    float[] theta,
    float[] x,
    String worker,
    double simulationSeconds) {

  public Sample {
    Objects.requireNonNull(sampleId, "sampleId");
    Objects.requireNonNull(runId, "runId");
    Objects.requireNonNull(proposalId, "proposalId");
    Objects.requireNonNull(theta, "theta");
    Objects.requireNonNull(x, "x");
    Objects.requireNonNull(worker, "worker");
  }

  /** The sample a simulator produced for a proposal. */
  public static Sample of(Proposal proposal, float[] x, String worker, double simulationSeconds) {
    return new Sample(
        proposal.proposalId(),
        proposal.runId(),
        proposal.round(),
        proposal.proposalId(),
        proposal.seed(),
        proposal.theta(),
        x,
        worker,
        simulationSeconds);
  }

  /** True when every θ and x value is a finite number. */
  public boolean isFinite() {
    return allFinite(theta) && allFinite(x);
  }

  private static boolean allFinite(float[] values) {
    for (float v : values) {
      if (!Float.isFinite(v)) {
        return false;
      }
    }
    return true;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Sample s
        && round == s.round
        && seed == s.seed
        && Double.compare(simulationSeconds, s.simulationSeconds) == 0
        && sampleId.equals(s.sampleId)
        && runId.equals(s.runId)
        && proposalId.equals(s.proposalId)
        && worker.equals(s.worker)
        && Arrays.equals(theta, s.theta)
        && Arrays.equals(x, s.x);
  }

  @Override
  public int hashCode() {
    return Objects.hash(sampleId, runId, round, proposalId, seed, worker)
        + 31 * Arrays.hashCode(theta)
        + 17 * Arrays.hashCode(x);
  }

  @Override
  public String toString() {
    return "Sample[" + sampleId + ", round " + round + ", θ=" + Arrays.toString(theta)
        + ", x=" + Arrays.toString(x) + ", worker " + worker + "]";
  }
}

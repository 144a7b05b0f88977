package org.streamsbi.core;

import java.util.Arrays;
import java.util.Objects;

/**
 * A request to simulate at θ with a given seed. The seed travels with the proposal so that any
 * worker reproduces the same x.
 */
public record Proposal(String runId, int round, String proposalId, long seed, float[] theta) {

  public Proposal {
    Objects.requireNonNull(runId, "runId");
    Objects.requireNonNull(proposalId, "proposalId");
    Objects.requireNonNull(theta, "theta");
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Proposal p
        && round == p.round
        && seed == p.seed
        && runId.equals(p.runId)
        && proposalId.equals(p.proposalId)
        && Arrays.equals(theta, p.theta);
  }

  @Override
  public int hashCode() {
    return Objects.hash(runId, round, proposalId, seed) + 31 * Arrays.hashCode(theta);
  }

  @Override
  public String toString() {
    return "Proposal[" + proposalId + ", round " + round + ", seed " + seed + ", θ="
        + Arrays.toString(theta) + "]";
  }
}

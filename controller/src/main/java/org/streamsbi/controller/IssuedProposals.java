package org.streamsbi.controller;

import java.util.Arrays;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.streamsbi.buffer.SampleAdmission;
import org.streamsbi.core.Proposal;
import org.streamsbi.core.Sample;

/**
 * The θ a run issued under each proposal id, noted before the proposal is sent: the one record
 * of what the run asked for, by which the buffer and the ledger admit only the run's own samples.
 * A sample under an id the run never issued, or with a θ other than the one issued under its id,
 * was not simulated for this run, and training on it or counting it would corrupt the posterior
 * and the budget.
 */
final class IssuedProposals implements SampleAdmission {
  private final Map<String, float[]> thetas = new ConcurrentHashMap<>();

  /** Notes proposals about to be sent, or read back from the proposals topic on resume. */
  void issue(Collection<Proposal> proposals) {
    proposals.forEach(p -> thetas.put(p.proposalId(), p.theta()));
  }

  /** Distinct proposal ids issued. */
  int count() {
    return thetas.size();
  }

  @Override
  public Optional<String> refusal(Sample sample) {
    float[] issued = thetas.get(sample.proposalId());
    if (issued == null) {
      return Optional.of("sample " + sample.sampleId() + " answers proposal " + sample.proposalId()
          + ", which this run never issued");
    }
    if (!Arrays.equals(issued, sample.theta())) {
      return Optional.of("sample " + sample.sampleId() + " holds θ " + Arrays.toString(sample.theta())
          + " but the run issued proposal " + sample.proposalId() + " at θ " + Arrays.toString(issued));
    }
    return Optional.empty();
  }
}

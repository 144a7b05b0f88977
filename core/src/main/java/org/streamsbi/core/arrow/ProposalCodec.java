package org.streamsbi.core.arrow;

import java.util.List;
import org.apache.arrow.vector.types.pojo.Schema;
import org.streamsbi.core.Proposal;

/** Proposals on the wire: one Arrow IPC stream per batch, θ as a fixed-size list of float32. */
public final class ProposalCodec {
  private final Schema schema;

  public ProposalCodec(int thetaDimension) {
    if (thetaDimension < 1) {
      throw new IllegalArgumentException("θ dimension must be positive, got " + thetaDimension);
    }
    this.schema =
        new Schema(
            List.of(
                Columns.utf8("run_id"),
                Columns.int32("round"),
                Columns.utf8("proposal_id"),
                Columns.int64("seed"),
                Columns.floats("theta", thetaDimension)));
  }

  public byte[] encode(List<Proposal> proposals) {
    return Columns.write(
        schema,
        proposals.size(),
        (c, row) -> {
          Proposal p = proposals.get(row);
          c.setString("run_id", row, p.runId());
          c.setInt("round", row, p.round());
          c.setString("proposal_id", row, p.proposalId());
          c.setLong("seed", row, p.seed());
          c.setFloats("theta", row, p.theta());
        });
  }

  /** @throws MalformedBatchException when the bytes do not hold proposals of this run's width */
  public List<Proposal> decode(byte[] bytes) {
    return Columns.read(
        bytes,
        schema,
        (c, row) ->
            new Proposal(
                c.getString("run_id", row),
                c.getInt("round", row),
                c.getString("proposal_id", row),
                c.getLong("seed", row),
                c.getFloats("theta", row)));
  }
}

package org.streamsbi.core.arrow;

import java.util.List;
import org.apache.arrow.vector.types.pojo.Schema;
import org.streamsbi.core.Sample;

/**
 * Samples on the wire: one Arrow IPC stream per batch, θ and x as fixed-size lists of float32 whose
 * widths are the run's dimensions. Decoding also accepts the JSON form (see {@link JsonSamples}
 * and docs/simulators.md) so that a solver with a plain Kafka client can produce samples itself.
 */
public final class SampleCodec {
  private final Schema schema;
  private final JsonSamples json;

  public SampleCodec(int thetaDimension, int xDimension) {
    if (thetaDimension < 1 || xDimension < 1) {
      throw new IllegalArgumentException(
          "dimensions must be positive, got θ " + thetaDimension + " and x " + xDimension);
    }
    this.schema =
        new Schema(
            List.of(
                Columns.utf8("sample_id"),
                Columns.utf8("run_id"),
                Columns.int32("round"),
                Columns.utf8("proposal_id"),
                Columns.int64("seed"),
                Columns.floats("theta", thetaDimension),
                Columns.floats("x", xDimension),
                Columns.utf8("worker"),
                Columns.float64("simulation_seconds")));
    this.json = new JsonSamples(thetaDimension, xDimension);
  }

  /** The Arrow schema of a sample batch for this run. */
  public Schema schema() {
    return schema;
  }

  public byte[] encode(List<Sample> samples) {
    return Columns.write(
        schema,
        samples.size(),
        (c, row) -> {
          Sample s = samples.get(row);
          c.setString("sample_id", row, s.sampleId());
          c.setString("run_id", row, s.runId());
          c.setInt("round", row, s.round());
          c.setString("proposal_id", row, s.proposalId());
          c.setLong("seed", row, s.seed());
          c.setFloats("theta", row, s.theta());
          c.setFloats("x", row, s.x());
          c.setString("worker", row, s.worker());
          c.setDouble("simulation_seconds", row, s.simulationSeconds());
        });
  }

  /**
   * Decodes an Arrow IPC stream, or the JSON form when the bytes start with '{' or '['.
   *
   * @throws MalformedBatchException when the bytes are neither, a column or field is missing or
   *     null, or θ or x has another width than this run's
   */
  public List<Sample> decode(byte[] bytes) {
    if (JsonSamples.looksLikeJson(bytes)) {
      return json.decode(bytes);
    }
    return Columns.read(
        bytes,
        schema,
        (c, row) ->
            new Sample(
                c.getString("sample_id", row),
                c.getString("run_id", row),
                c.getInt("round", row),
                c.getString("proposal_id", row),
                c.getLong("seed", row),
                c.getFloats("theta", row),
                c.getFloats("x", row),
                c.getString("worker", row),
                c.getDouble("simulation_seconds", row)));
  }
}

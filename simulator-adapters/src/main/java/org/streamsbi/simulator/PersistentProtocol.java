package org.streamsbi.simulator;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.streamsbi.core.Proposal;

/**
 * The wire format of the persistent protocol (docs/simulators.md), one JSON object per line:
 *
 * <pre>
 * request  {"id": "7", "items": [{"theta": [0.5, -1.25], "seed": 42}, ...]}
 * reply    {"id": "7", "results": [{"x": [0.1, 2.5]}, {"error": "diverged"}, ...]}
 * </pre>
 *
 * A reply holds one result per item, in order. A line that is not the awaited reply breaks the
 * conversation: every item of the request is an invalid output, and the program is restarted.
 */
final class PersistentProtocol {
  private final int xDimension;

  PersistentProtocol(int xDimension) {
    this.xDimension = xDimension;
  }

  /** The request line, newline included, in UTF-8. */
  byte[] request(String id, List<Proposal> proposals) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(32 + 48 * proposals.size());
    try (JsonGenerator g = OutputLine.JSON.getFactory().createGenerator(bytes)) {
      g.writeStartObject();
      g.writeStringField("id", id);
      g.writeArrayFieldStart("items");
      for (Proposal p : proposals) {
        g.writeStartObject();
        g.writeArrayFieldStart("theta");
        for (float v : p.theta()) {
          g.writeNumber(v);
        }
        g.writeEndArray();
        g.writeNumberField("seed", p.seed());
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write a request in memory", e);
    }
    bytes.write('\n');
    return bytes.toByteArray();
  }

  /**
   * The results of the reply to request {@code id} with {@code items} items; an item the program
   * reported as an error, or whose x is unusable, is a failed result.
   *
   * @throws SimulationException (invalid output) when the line is not that reply
   */
  List<BatchSimulator.Result> reply(byte[] line, String id, int items, Supplier<String> stderrTail) {
    JsonNode node;
    try {
      node = OutputLine.JSON.readTree(line);
    } catch (IOException e) {
      throw broken("unparsable reply (invalid JSON)", line, stderrTail);
    }
    if (node == null || !node.isObject()) {
      throw broken("a reply must be a JSON object", line, stderrTail);
    }
    JsonNode replyId = node.get("id");
    if (replyId == null || !replyId.isTextual() || !replyId.textValue().equals(id)) {
      throw broken("reply to request " + replyId + " while request \"" + id + "\" awaits its reply", line, stderrTail);
    }
    JsonNode results = node.get("results");
    if (results == null || !results.isArray() || results.size() != items) {
      throw broken("the reply needs an array 'results' of " + items + " results, one per item", line, stderrTail);
    }
    List<BatchSimulator.Result> out = new ArrayList<>(items);
    for (JsonNode result : results) {
      out.add(result(result, stderrTail));
    }
    return out;
  }

  private BatchSimulator.Result result(JsonNode result, Supplier<String> stderrTail) {
    JsonNode error = result.get("error");
    if (error != null) {
      return BatchSimulator.Result.failed(new SimulationException(
          "simulator reported an error: " + (error.isTextual() ? error.textValue() : error.toString()),
          SimulationException.Kind.FAILED, null, stderrTail.get()));
    }
    if (result.get("x") == null) {
      return BatchSimulator.Result.failed(OutputLine.invalid(
          "a result needs an array 'x' or an 'error': " + OutputLine.quote(result.toString()), stderrTail.get()));
    }
    try {
      return BatchSimulator.Result.of(OutputLine.x(result.get("x"), xDimension, ""));
    } catch (SimulationException e) {
      return BatchSimulator.Result.failed(
          new SimulationException(e.getMessage(), e.kind(), null, stderrTail.get()));
    }
  }

  private static SimulationException broken(String why, byte[] line, Supplier<String> stderrTail) {
    return OutputLine.invalid(why + ": " + OutputLine.quote(new String(line, StandardCharsets.UTF_8))
        + " (standard output carries replies only; log to standard error)", stderrTail.get());
  }
}

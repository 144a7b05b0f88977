package org.streamsbi.simulator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * Reads x from a line a simulator printed: a JSON array of numbers, a JSON object
 * {@code {"step": n, "x": [...]}} (streaming solvers), or comma-separated numbers. Anything else,
 * NaN, ±∞ or another width than the run's is an invalid output.
 */
final class OutputLine {
  /**
   * Reads NaN and ±Infinity literals, so that they are reported as non-finite, not unparsable.
   * Numbers go both ways through Jackson's fast (and exactly rounding) double writer and parser:
   * the JDK's float formatting was the largest cost of a slot's thread per proposal in a batch.
   */
  static final JsonMapper JSON =
      JsonMapper.builder()
          .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
          .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
          .enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER)
          .build();
  private static final int QUOTED = 200;

  /** One parsed output; {@code step} is null when the line did not name one. */
  record Output(Integer step, float[] x) {}

  private OutputLine() {}

  static Output parse(String line, int xDimension, String stderrTail) {
    String text = line.strip();
    Output output;
    if (text.startsWith("[") || text.startsWith("{")) {
      output = json(text, stderrTail);
    } else {
      output = new Output(null, csv(text, stderrTail));
    }
    checked(output.x(), xDimension, stderrTail);
    return output;
  }

  /** x from a JSON node of a reply: an array of {@code xDimension} finite numbers. */
  static float[] x(JsonNode node, int xDimension, String stderrTail) {
    if (node == null || !node.isArray()) {
      throw invalid("unparsable output (expected a JSON array of numbers): " + quote(String.valueOf(node)), stderrTail);
    }
    return checked(numbers(node, node, stderrTail), xDimension, stderrTail);
  }

  private static float[] checked(float[] x, int xDimension, String stderrTail) {
    if (x.length != xDimension) {
      throw invalid(
          "simulator returned " + x.length + " values, expected " + xDimension, stderrTail);
    }
    for (int i = 0; i < x.length; i++) {
      if (!Float.isFinite(x[i])) {
        throw invalid("simulator returned a non-finite value (" + x[i] + ") at index " + i, stderrTail);
      }
    }
    return x;
  }

  private static Output json(String text, String stderrTail) {
    JsonNode node;
    try {
      node = JSON.readTree(text);
    } catch (JsonProcessingException e) {
      throw invalid("unparsable output (invalid JSON): " + quote(text), stderrTail);
    }
    Integer step = null;
    if (node.isObject()) {
      JsonNode s = node.get("step");
      if (s == null || !s.canConvertToInt() || !s.isIntegralNumber() || s.intValue() < 0) {
        throw invalid("output object needs a non-negative integer 'step': " + quote(text), stderrTail);
      }
      step = s.intValue();
      node = node.get("x");
      if (node == null) {
        throw invalid("output object needs an array 'x': " + quote(text), stderrTail);
      }
    }
    if (!node.isArray()) {
      throw invalid("unparsable output (expected a JSON array of numbers): " + quote(text), stderrTail);
    }
    return new Output(step, numbers(node, text, stderrTail));
  }

  /** {@code source} is quoted in a failure: the line, or the node itself (printed only then). */
  private static float[] numbers(JsonNode node, Object source, String stderrTail) {
    float[] x = new float[node.size()];
    for (int i = 0; i < x.length; i++) {
      if (!node.get(i).isNumber()) {
        throw invalid("unparsable output (element " + i + " is not a number): " + quote(String.valueOf(source)),
            stderrTail);
      }
      x[i] = node.get(i).floatValue();
    }
    return x;
  }

  private static float[] csv(String text, String stderrTail) {
    if (text.isEmpty()) {
      throw invalid("simulator printed no output", stderrTail);
    }
    String[] cells = text.split(",", -1);
    float[] x = new float[cells.length];
    for (int i = 0; i < cells.length; i++) {
      try {
        x[i] = Float.parseFloat(cells[i].strip());
      } catch (NumberFormatException e) {
        throw invalid("unparsable output (not a JSON array or CSV numbers): " + quote(text), stderrTail);
      }
    }
    return x;
  }

  static String quote(String text) {
    return "'" + (text.length() > QUOTED ? text.substring(0, QUOTED) + "…" : text) + "'";
  }

  static SimulationException invalid(String message, String stderrTail) {
    return new SimulationException(message, SimulationException.Kind.INVALID_OUTPUT, 0, stderrTail);
  }
}

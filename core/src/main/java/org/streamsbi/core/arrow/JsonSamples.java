package org.streamsbi.core.arrow;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.streamsbi.core.Sample;

/**
 * The JSON form of a sample batch, for solvers that produce with their own Kafka client (kcat,
 * librdkafka, confluent-kafka-python) and have no Arrow library: one object, or an array of
 * objects, with the Arrow schema's column names as keys. {@code round} defaults to 1,
 * {@code worker} to {@code external}, {@code simulation_seconds} to 0 and {@code sample_id} to the
 * proposal id. NaN and ±Infinity are accepted as literals so that the buffer, not the decoder,
 * sets such samples aside.
 */
final class JsonSamples {
  private static final JsonMapper JSON =
      JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

  private final int thetaDimension;
  private final int xDimension;

  JsonSamples(int thetaDimension, int xDimension) {
    this.thetaDimension = thetaDimension;
    this.xDimension = xDimension;
  }

  /** True when the bytes start like JSON; an Arrow IPC stream starts with 0xFFFFFFFF. */
  static boolean looksLikeJson(byte[] bytes) {
    for (byte b : bytes) {
      if (b == '{' || b == '[') {
        return true;
      }
      if (!Character.isWhitespace(b)) {
        return false;
      }
    }
    return false;
  }

  List<Sample> decode(byte[] bytes) {
    JsonNode root;
    try {
      root = JSON.readTree(bytes);
    } catch (JsonProcessingException e) {
      throw new MalformedBatchException("invalid JSON sample batch: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new MalformedBatchException("unreadable JSON sample batch", e);
    }
    List<Sample> out = new ArrayList<>();
    if (root.isArray()) {
      for (int i = 0; i < root.size(); i++) {
        out.add(sample(root.get(i), "element " + i + ": "));
      }
    } else {
      out.add(sample(root, ""));
    }
    return out;
  }

  private Sample sample(JsonNode node, String where) {
    if (!node.isObject()) {
      throw new MalformedBatchException(where + "a JSON sample must be an object, got " + node.getNodeType());
    }
    String proposalId = text(node, "proposal_id", null, where);
    return new Sample(
        text(node, "sample_id", proposalId, where),
        text(node, "run_id", null, where),
        (int) integer(node, "round", 1L, where),
        proposalId,
        integer(node, "seed", null, where),
        floats(node, "theta", thetaDimension, where),
        floats(node, "x", xDimension, where),
        text(node, "worker", "external", where),
        number(node, "simulation_seconds", where));
  }

  private static String text(JsonNode node, String field, String fallback, String where) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      if (fallback == null) {
        throw new MalformedBatchException(where + "missing field '" + field + "'");
      }
      return fallback;
    }
    if (!v.isTextual()) {
      throw new MalformedBatchException(where + "field '" + field + "' must be a string");
    }
    return v.textValue();
  }

  private static long integer(JsonNode node, String field, Long fallback, String where) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      if (fallback == null) {
        throw new MalformedBatchException(where + "missing field '" + field + "'");
      }
      return fallback;
    }
    if (!v.isIntegralNumber() || !v.canConvertToLong()) {
      throw new MalformedBatchException(where + "field '" + field + "' must be a 64-bit integer");
    }
    return v.longValue();
  }

  private static double number(JsonNode node, String field, String where) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return 0;
    }
    if (!v.isNumber()) {
      throw new MalformedBatchException(where + "field '" + field + "' must be a number");
    }
    return v.doubleValue();
  }

  private static float[] floats(JsonNode node, String field, int width, String where) {
    JsonNode v = node.get(field);
    if (v == null || !v.isArray()) {
      throw new MalformedBatchException(where + "field '" + field + "' must be an array of " + width + " numbers");
    }
    if (v.size() != width) {
      throw new MalformedBatchException(
          where + "column '" + field + "' holds " + v.size() + " values, this run expects " + width);
    }
    float[] out = new float[width];
    for (int i = 0; i < width; i++) {
      if (!v.get(i).isNumber()) {
        throw new MalformedBatchException(where + "field '" + field + "' element " + i + " is not a number");
      }
      out[i] = v.get(i).floatValue();
    }
    return out;
  }
}

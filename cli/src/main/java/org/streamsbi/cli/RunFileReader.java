package org.streamsbi.cli;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Reads a {@link RunFile} from YAML, with command-line values laid over it. Every mistake Jackson
 * finds becomes an {@link IllegalArgumentException} naming the field path: an unknown field (a
 * typo), or a value of the wrong type.
 */
final class RunFileReader {
  private static final ObjectMapper YAML =
      JsonMapper.builder(new YAMLFactory())
          .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          // 1.5 simulations is a mistake, not 1.
          .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
          .build();

  /** Values from the command line, by field path; each replaces the file's value. */
  private final Map<String, Object> overrides = new LinkedHashMap<>();
  /** The flag each override came from, so a message can name what the user typed. */
  private final Map<String, String> flags = new LinkedHashMap<>();

  /** Lays {@code value}, given as {@code flag}, over the field at {@code path} (dot-separated). */
  RunFileReader override(String path, String flag, Object value) {
    overrides.put(path, value);
    flags.put(path, flag);
    return this;
  }

  /** The flag that set {@code path} or a section holding it; null when it came from the file. */
  String flagFor(String path) {
    for (Map.Entry<String, String> e : flags.entrySet()) {
      if (path.equals(e.getKey()) || path.startsWith(e.getKey() + ".") || path.startsWith(e.getKey() + "[")) {
        return e.getValue();
      }
    }
    return null;
  }

  /** Reads {@code file}, or the command-line values alone when it is null. */
  RunFile read(Path file) {
    String source = file == null ? "the command line" : file.toString();
    ObjectNode tree;
    if (file == null) {
      tree = JsonNodeFactory.instance.objectNode();
    } else {
      if (!Files.isRegularFile(file)) {
        throw new IllegalArgumentException("--config: no such file: " + file);
      }
      tree = parse(file);
    }
    overrides.forEach((path, value) -> set(tree, path, value));
    try {
      return YAML.treeToValue(tree, RunFile.class);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(source + ": " + describe(e), e);
    }
  }

  private static ObjectNode parse(Path file) {
    JsonNode node;
    try {
      node = YAML.readTree(file.toFile());
    } catch (JacksonException e) {
      JsonLocation at = e.getLocation();
      throw new IllegalArgumentException(
          file + (at == null ? "" : " line " + at.getLineNr()) + ": not valid YAML: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new IllegalArgumentException("--config: cannot read " + file + ": " + e.getMessage(), e);
    }
    if (node == null || node.isMissingNode() || node.isNull()) {
      return JsonNodeFactory.instance.objectNode();
    }
    if (!node.isObject()) {
      throw new IllegalArgumentException(file + ": expected a mapping of settings (prior:, simulator:, ...) at the top");
    }
    return (ObjectNode) node;
  }

  private static void set(ObjectNode root, String path, Object value) {
    String[] names = path.split("\\.");
    ObjectNode node = root;
    for (int i = 0; i < names.length - 1; i++) {
      JsonNode child = node.get(names[i]);
      node = child instanceof ObjectNode object ? object : node.putObject(names[i]);
    }
    node.set(names[names.length - 1], YAML.valueToTree(value));
  }

  /** "trainer.learning_rate: expected a number, got 'fast'" and the like. */
  static String describe(JsonProcessingException e) {
    if (!(e instanceof JsonMappingException mapping)) {
      return e.getOriginalMessage();
    }
    String path = path(mapping.getPath());
    if (e instanceof UnrecognizedPropertyException unknown) {
      return path + ": unknown field; " + (unknown.getKnownPropertyIds() == null ? ""
          : "expected one of " + known(unknown.getKnownPropertyIds()));
    }
    if (e instanceof InvalidFormatException format) {
      return path + ": expected " + expected(format.getTargetType()) + ", got '" + format.getValue() + "'";
    }
    if (e instanceof MismatchedInputException mismatch && mismatch.getTargetType() != null) {
      return path + ": expected " + expected(mismatch.getTargetType());
    }
    return path + ": " + e.getOriginalMessage();
  }

  private static String path(List<JsonMappingException.Reference> references) {
    StringBuilder out = new StringBuilder();
    for (JsonMappingException.Reference r : references) {
      if (r.getFieldName() != null) {
        out.append(out.length() == 0 ? "" : ".").append(r.getFieldName());
      } else if (r.getIndex() >= 0) {
        out.append('[').append(r.getIndex()).append(']');
      }
    }
    return out.length() == 0 ? "(top level)" : out.toString();
  }

  private static String known(Collection<Object> ids) {
    Set<String> names = new TreeSet<>();
    ids.forEach(id -> names.add(String.valueOf(id)));
    return String.join(", ", names);
  }

  private static String expected(Class<?> type) {
    if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
      return "a whole number";
    }
    if (type == Double.class || type == double.class || type == Float.class || type == float.class) {
      return "a number";
    }
    if (type == Boolean.class || type == boolean.class) {
      return "true or false";
    }
    if (type == String.class) {
      return "a text value";
    }
    if (type == double[].class) {
      return "a list of numbers";
    }
    if (type == double[][].class) {
      return "a list of lists of numbers (a matrix)";
    }
    if (List.class.isAssignableFrom(type) || type.isArray()) {
      return "a list";
    }
    if (Map.class.isAssignableFrom(type)) {
      return "a mapping of names to values";
    }
    if (type.isRecord()) {
      return "a mapping with the fields "
          + java.util.Arrays.stream(type.getRecordComponents())
              .map(c -> PropertyNamingStrategies.SnakeCaseStrategy.INSTANCE.translate(c.getName()))
              .collect(Collectors.joining(", "));
    }
    return type.getSimpleName();
  }
}

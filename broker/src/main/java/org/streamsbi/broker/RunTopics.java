package org.streamsbi.broker;

import java.util.List;
import java.util.regex.Pattern;

/**
 * The topics of one run. Every run has its own four topics so that runs sharing a cluster never
 * see each other's data:
 *
 * <ul>
 *   <li>{@code streamsbi.<run>.proposals}: parameters to simulate, consumed by the worker group;
 *   <li>{@code streamsbi.<run>.samples}: (θ, x) batches, consumed by the buffer;
 *   <li>{@code streamsbi.<run>.dead-letters}: whatever could not be simulated or decoded, with
 *       the reason in its headers;
 *   <li>{@code streamsbi.<run>.events}: run progress for dashboards and other observers.
 * </ul>
 */
public record RunTopics(String run) {
  private static final Pattern LEGAL = Pattern.compile("[A-Za-z0-9_-]{1,180}");

  public RunTopics {
    if (run == null || !LEGAL.matcher(run).matches()) {
      throw new IllegalArgumentException(
          "run name must be 1-180 letters, digits, '_' or '-', got '" + run + "'");
    }
  }

  public String proposals() {
    return name("proposals");
  }

  public String samples() {
    return name("samples");
  }

  public String deadLetters() {
    return name("dead-letters");
  }

  public String events() {
    return name("events");
  }

  /** The consumer group that simulation workers of this run join. */
  public String workerGroup() {
    return name("workers");
  }

  public List<String> all() {
    return List.of(proposals(), samples(), deadLetters(), events());
  }

  private String name(String kind) {
    return "streamsbi." + run + "." + kind;
  }
}

package org.streamsbi.simulator;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * How to run an external simulator program: its command line, its dimensions, its protocol and how
 * θ and the seed reach it. Validated when built; every error names the field.
 *
 * <pre>{@code
 * ProcessSimulatorConfig config = ProcessSimulatorConfig.custom("./my_solver", "--flag")
 *     .thetaDimension(2).xDimension(2)
 *     .passParameters(Channel.STDIN, Channel.ENVIRONMENT)
 *     .build();
 * }</pre>
 */
public final class ProcessSimulatorConfig {
  /** Largest stderr tail kept for a failure report. */
  public static final int MAX_STDERR_TAIL_BYTES = 1 << 20;

  /** How the worker talks to the program. */
  public enum Protocol {
    /** One process per simulation ({@link ProcessSimulator}, {@link StreamingProcessSimulator}). */
    ONE_SHOT,
    /**
     * The program is started once per concurrency slot and answers requests, one JSON line each,
     * on its standard input and output ({@link PersistentProcessSimulator}).
     */
    PERSISTENT
  }

  /** Where θ and the seed are given to the program. */
  public enum Channel {
    /** One JSON object on standard input, {@code {"theta": [...], "seed": n}}, then end of input. */
    STDIN,
    /** Appended to the command line as {@code --theta v1,v2,... --seed n}. */
    ARGUMENTS,
    /** Environment variables {@code STREAMSBI_THETA=v1,v2,...} and {@code STREAMSBI_SEED=n}. */
    ENVIRONMENT
  }

  private final List<String> command;
  private final int thetaDimension;
  private final int xDimension;
  private final Set<Channel> channels;
  private final Path workingDirectory;
  private final Map<String, String> environment;
  private final int stderrTailBytes;
  private final Protocol protocol;
  private final int batchSize;

  private ProcessSimulatorConfig(Builder b) {
    if (b.command.stream().anyMatch(a -> a == null)) {
      throw new IllegalArgumentException("command must not hold null arguments, got " + b.command);
    }
    if (b.command.isEmpty() || b.command.get(0).isBlank()) {
      throw new IllegalArgumentException("command must name a program, got " + b.command);
    }
    if (b.thetaDimension < 1) {
      throw new IllegalArgumentException("thetaDimension must be at least 1, got " + b.thetaDimension);
    }
    if (b.xDimension < 1) {
      throw new IllegalArgumentException("xDimension must be at least 1, got " + b.xDimension);
    }
    if (b.channels.isEmpty()) {
      throw new IllegalArgumentException("passParameters must name at least one of " + EnumSet.allOf(Channel.class));
    }
    if (b.workingDirectory != null && !Files.isDirectory(b.workingDirectory)) {
      throw new IllegalArgumentException("workingDirectory is not a directory: " + b.workingDirectory);
    }
    if (b.stderrTailBytes < 0 || b.stderrTailBytes > MAX_STDERR_TAIL_BYTES) {
      throw new IllegalArgumentException(
          "stderrTailBytes must be 0 to " + MAX_STDERR_TAIL_BYTES + ", got " + b.stderrTailBytes);
    }
    if (b.protocol == null) {
      throw new IllegalArgumentException("protocol must be one of " + EnumSet.allOf(Protocol.class) + ", got null");
    }
    if (b.protocol == Protocol.PERSISTENT && !b.channels.equals(EnumSet.of(Channel.STDIN))) {
      throw new IllegalArgumentException(
          "passParameters must be STDIN alone for the persistent protocol, whose requests carry θ and the seed, got "
              + b.channels);
    }
    if (b.batchSize < 1) {
      throw new IllegalArgumentException("batchSize must be at least 1, got " + b.batchSize);
    }
    if (b.batchSize > 1 && b.protocol != Protocol.PERSISTENT) {
      throw new IllegalArgumentException(
          "batchSize must be 1 for the " + b.protocol + " protocol (batches need PERSISTENT), got " + b.batchSize);
    }
    this.command = List.copyOf(b.command);
    this.thetaDimension = b.thetaDimension;
    this.xDimension = b.xDimension;
    this.channels = Set.copyOf(b.channels);
    this.workingDirectory = b.workingDirectory;
    this.environment = Map.copyOf(b.environment);
    this.stderrTailBytes = b.stderrTailBytes;
    this.protocol = b.protocol;
    this.batchSize = b.batchSize;
  }

  public static Builder custom(String... command) {
    return new Builder(List.of(command));
  }

  public static Builder custom(List<String> command) {
    return new Builder(command);
  }

  /** The program and its own arguments, started directly, never through a shell. */
  public List<String> command() {
    return command;
  }

  public int thetaDimension() {
    return thetaDimension;
  }

  public int xDimension() {
    return xDimension;
  }

  public Set<Channel> channels() {
    return channels;
  }

  public Optional<Path> workingDirectory() {
    return Optional.ofNullable(workingDirectory);
  }

  /** Variables added to the inherited environment. */
  public Map<String, String> environment() {
    return environment;
  }

  public int stderrTailBytes() {
    return stderrTailBytes;
  }

  public Protocol protocol() {
    return protocol;
  }

  /** Proposals per request of the persistent protocol; 1 for the one-shot protocol. */
  public int batchSize() {
    return batchSize;
  }

  public static final class Builder {
    private final List<String> command;
    private int thetaDimension;
    private int xDimension;
    private Set<Channel> channels = EnumSet.of(Channel.STDIN);
    private Path workingDirectory;
    private final Map<String, String> environment = new LinkedHashMap<>();
    private int stderrTailBytes = 4096;
    private Protocol protocol = Protocol.ONE_SHOT;
    private int batchSize = 1;

    private Builder(List<String> command) {
      if (command == null) {
        throw new IllegalArgumentException("command must name a program, got null");
      }
      this.command = new ArrayList<>(command);
    }

    public Builder thetaDimension(int thetaDimension) {
      this.thetaDimension = thetaDimension;
      return this;
    }

    public Builder xDimension(int xDimension) {
      this.xDimension = xDimension;
      return this;
    }

    /** Where θ and the seed go; standard input (JSON) when not set. */
    public Builder passParameters(Channel... channels) {
      this.channels = channels.length == 0 ? EnumSet.noneOf(Channel.class) : EnumSet.copyOf(List.of(channels));
      return this;
    }

    public Builder workingDirectory(Path workingDirectory) {
      this.workingDirectory = workingDirectory;
      return this;
    }

    public Builder environment(String name, String value) {
      environment.put(name, value);
      return this;
    }

    /** How much of the end of stderr goes with a failure (default 4096). */
    public Builder stderrTailBytes(int stderrTailBytes) {
      this.stderrTailBytes = stderrTailBytes;
      return this;
    }

    /** One process per simulation (default) or one kept per concurrency slot. */
    public Builder protocol(Protocol protocol) {
      this.protocol = protocol;
      return this;
    }

    /** Proposals sent in one request of the persistent protocol (default 1). */
    public Builder batchSize(int batchSize) {
      this.batchSize = batchSize;
      return this;
    }

    public ProcessSimulatorConfig build() {
      return new ProcessSimulatorConfig(this);
    }
  }
}

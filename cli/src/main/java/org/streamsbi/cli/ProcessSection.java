package org.streamsbi.cli;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;
import org.streamsbi.simulator.PersistentProcessSimulator;
import org.streamsbi.simulator.ProcessSimulator;
import org.streamsbi.simulator.ProcessSimulatorConfig;
import org.streamsbi.simulator.SimulationWorkerConfig;
import org.streamsbi.simulator.StreamingProcessSimulator;
import org.streamsbi.simulator.StreamingSimulator;

/**
 * The {@code simulator.process} section of a run file mapped onto the configs that validate it:
 * the program ({@link ProcessSimulatorConfig}) and its workers' resilience
 * ({@link SimulationWorkerConfig}).
 */
final class ProcessSection {
  private final StreamingSimulator simulator;
  private final String description;
  private final SimulationWorkerConfig workerConfig;

  ProcessSection(RunPlan.Fields f, RunFile.Process p, int thetaDimension, int xDimension, Path base) {
    ProcessSimulatorConfig program = program(f, p, thetaDimension, xDimension, base);
    this.simulator = f.guard("simulator.process.streaming", () -> simulator(program, Boolean.TRUE.equals(p.streaming())));
    this.description = String.join(" ", program.command());
    double timeout = f.atLeastReal("simulator.process.timeout_seconds", p.timeoutSeconds(), 3600, 0);
    double backoff = f.positive("simulator.process.backoff_seconds", p.backoffSeconds(), 1);
    this.workerConfig = SimulationWorkerConfig.custom()
        .concurrency(f.atLeast("simulator.process.concurrency", p.concurrency(), 1, 1))
        .timeLimit(Duration.ofMillis(Math.round(timeout * 1000)))
        .maxAttempts(f.atLeast("simulator.process.max_attempts", p.maxAttempts(), 3, 1))
        .initialBackoff(Duration.ofMillis(Math.max(1, Math.round(backoff * 1000))))
        .build();
  }

  /** The simulator for a program by its protocol; {@code streaming} only for the one-shot one. */
  static StreamingSimulator simulator(ProcessSimulatorConfig program, boolean streaming) {
    if (program.protocol() == ProcessSimulatorConfig.Protocol.PERSISTENT) {
      if (streaming) {
        throw new IllegalArgumentException(
            "streaming applies to the one-shot protocol; a persistent program answers one x per proposal");
      }
      return new PersistentProcessSimulator(program);
    }
    return streaming ? new StreamingProcessSimulator(program) : StreamingSimulator.of(new ProcessSimulator(program));
  }

  StreamingSimulator simulator() {
    return simulator;
  }

  /** The program's command line. */
  String description() {
    return description;
  }

  SimulationWorkerConfig workerConfig() {
    return workerConfig;
  }

  private static ProcessSimulatorConfig program(RunPlan.Fields f, RunFile.Process p, int thetaDimension, int xDimension, Path base) {
    List<String> command = f.required("simulator.process.command", p.command());
    if (command.isEmpty() || command.get(0) == null || command.get(0).isBlank()) {
      throw f.invalid("simulator.process.command", "must name a program, got " + command);
    }
    Path workingDirectory = p.workingDirectory() == null ? base : f.path(base, p.workingDirectory());
    if (!Files.isDirectory(workingDirectory)) {
      throw f.invalid("simulator.process.working_directory", "no such directory: " + workingDirectory);
    }
    if (!runnable(command.get(0), workingDirectory)) {
      throw f.invalid("simulator.process.command", "program '" + command.get(0) + "' not found "
          + (command.get(0).contains("/") ? "in " + workingDirectory : "on the PATH"));
    }
    List<ProcessSimulatorConfig.Channel> channels = new ArrayList<>();
    List<String> pass = p.pass() == null ? List.of("stdin") : p.pass();
    for (int i = 0; i < pass.size(); i++) {
      channels.add(f.choice("simulator.process.pass[" + i + "]", pass.get(i), null, ProcessSimulatorConfig.Channel.class));
    }
    ProcessSimulatorConfig.Builder builder = ProcessSimulatorConfig.custom(command)
        .thetaDimension(thetaDimension)
        .xDimension(xDimension)
        .passParameters(channels.toArray(ProcessSimulatorConfig.Channel[]::new))
        .workingDirectory(workingDirectory);
    if (p.protocol() != null) {
      builder.protocol(f.choice("simulator.process.protocol", p.protocol(), null, ProcessSimulatorConfig.Protocol.class));
    }
    if (p.batch() != null) {
      builder.batchSize(p.batch());
    }
    if (p.environment() != null) {
      p.environment().forEach(builder::environment);
    }
    return f.guard("simulator.process", builder::build);
  }

  /** A program name with a slash is a path from the working directory; otherwise PATH is searched. */
  private static boolean runnable(String program, Path workingDirectory) {
    if (program.contains("/")) {
      return Files.isExecutable(workingDirectory.resolve(program));
    }
    String path = Objects.requireNonNullElse(System.getenv("PATH"), "");
    return Stream.of(path.split(File.pathSeparator))
        .filter(dir -> !dir.isEmpty())
        .anyMatch(dir -> Files.isExecutable(Path.of(dir, program)));
  }
}

package org.streamsbi.simulator;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.streamsbi.broker.RunTopics;

/**
 * A simulation worker in its own JVM, for the SIGKILL tests: simulates slowly (so that it is killed
 * mid-simulation) and exits when its standard input closes, so it never outlives the test JVM.
 *
 * <p>Arguments: run name, worker id, bootstrap servers, and for a slow persistent program instead
 * of the in-JVM simulator, the directory where the programs leave their pids.
 */
public final class KillableWorker {
  private KillableWorker() {}

  /** Starts the worker in a child JVM on this classpath, its output in {@code log}. */
  static Process launch(Path log, String... args) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = new ArrayList<>(List.of(java, "--add-opens=java.base/java.nio=ALL-UNNAMED",
        "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), KillableWorker.class.getName()));
    command.addAll(List.of(args));
    return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }

  public static void main(String[] args) {
    Thread watchdog = new Thread(() -> {
      try {
        while (System.in.read() != -1) {
          // the parent writes nothing; end of input means it is gone
        }
      } catch (IOException ignored) {
        // a broken stdin means the same
      }
      Runtime.getRuntime().halt(0);
    }, "stdin-watchdog");
    watchdog.setDaemon(true);
    watchdog.start();
    boolean persistent = args.length > 3;
    StreamingSimulator simulator = persistent
        ? new PersistentProcessSimulator(PersistentKillTest.slow(args[3]))
        : StreamingSimulator.of(KillTest.SLOW);
    SimulationWorkerConfig config = persistent
        ? PersistentKillTest.CONFIG
        : SimulationWorkerConfig.custom().concurrency(2).maxAttempts(1).failureRateThreshold(100).build();
    new SimulationWorker(args[1], KillTest.clients(args[2]), new RunTopics(args[0]), simulator, config).run();
  }
}

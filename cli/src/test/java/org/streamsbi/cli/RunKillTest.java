package org.streamsbi.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streamsbi.broker.EmbeddedKafkaBroker;

/**
 * The reliability suite: a whole {@code streamsbi run} in its own JVM, with its embedded broker
 * and a slow two_moons process simulator, killed with SIGKILL at a point of its life and started
 * again with {@code --resume} and the same run file. The resumed run must complete its budget
 * with no sample lost and simulate again at most what was in flight at the kill: simulations run
 * (the program counts them in a file) but not committed as samples, as the resume reads them.
 */
@Tag("integration")
class RunKillTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern RESUMED =
      Pattern.compile("resuming run (\\S+): (\\d+) of (\\d+) proposals issued, round (\\d+), training step (\\d+)");
  private static final Pattern REBUILT =
      Pattern.compile("run (\\S+) rebuilt from its topics [^:]*: (\\d+) samples in the buffer, (-?\\d+) proposals outstanding");
  private static final int BUDGET = 240;

  @TempDir Path dir;

  @Test
  void killedWhileTheSlowSimulatorWorks() throws Exception {
    Path config = runFile("npe", 1, 5, 1000);
    Kill kill = runAndKill(config, () -> simulations() >= BUDGET / 3);
    resumeAndCheck(config, kill, "npe");
  }

  @Test
  void killedDuringTheFinalTraining() throws Exception {
    Path config = runFile("npe", 1, 30, 1000);
    Path checkpoint = dir.resolve("checkpoints").resolve("checkpoint.bin");
    long[] allSimulatedAt = {0};
    // A checkpoint written after the last simulation: its sample is committed, training goes on.
    Kill kill = runAndKill(config, () -> {
      if (allSimulatedAt[0] == 0 && simulations() >= BUDGET) {
        allSimulatedAt[0] = System.currentTimeMillis();
      }
      return allSimulatedAt[0] != 0 && modified(checkpoint) > allSimulatedAt[0] + 300;
    });
    Resumed resumed = resumeAndCheck(config, kill, "npe");
    assertEquals(BUDGET, resumed.samples(), "every sample was in before the kill");
    assertTrue(resumed.trainingStep() > 0, "training continues from its checkpoint: " + resumed);
  }

  @Test
  void killedDuringPosteriorSampling() throws Exception {
    Path config = runFile("npe", 1, 5, 2_000_000);
    Path checkpoint = dir.resolve("checkpoints").resolve("checkpoint.bin");
    long[] allSimulatedAt = {0};
    // Training writes a checkpoint every 20 steps, a few hundredths of a second apart: one that
    // has not changed for two seconds after every simulation arrived was the last, and the run
    // samples its posterior (two million draws) until it writes them.
    Kill kill = runAndKill(config, () -> {
      if (allSimulatedAt[0] == 0 && simulations() >= BUDGET) {
        allSimulatedAt[0] = System.currentTimeMillis();
      }
      long written = modified(checkpoint);
      return allSimulatedAt[0] != 0 && written > allSimulatedAt[0] && System.currentTimeMillis() - written > 2000;
    });
    assertTrue(!Files.exists(dir.resolve("out").resolve("posterior_samples.csv")), "killed before the draws were written");
    Resumed resumed = resumeAndCheck(config, kill, "npe");
    assertEquals(BUDGET, resumed.samples(), "every sample was in before the kill");
    assertEquals(2_000_000, Files.readAllLines(dir.resolve("out").resolve("posterior_samples.csv")).size() - 1);
  }

  @Test
  void killedAtATsnpeRoundBarrier() throws Exception {
    Path config = runFile("tsnpe", 2, 5, 1000);
    Path round1 = dir.resolve("checkpoints").resolve("round-1").resolve("checkpoint.bin");
    Path round2 = dir.resolve("checkpoints").resolve("round-2");
    // Round 1's simulations all in and its training under way: the barrier before round 2.
    Kill kill = runAndKill(config, () -> simulations() >= BUDGET / 2 && Files.exists(round1) && !Files.exists(round2));
    Resumed resumed = resumeAndCheck(config, kill, "tsnpe");
    assertEquals(1, resumed.round(), "resumed in round 1: " + resumed);
  }

  /**
   * A standalone {@code simulate} worker on a cluster of the test's own keeps its proposals while
   * the run is killed, and goes on answering them; the resumed run reads its answers back.
   */
  @Test
  void killedWhileAStandaloneWorkerHoldsProposals() throws Exception {
    try (EmbeddedKafkaBroker cluster = EmbeddedKafkaBroker.start(dir.resolve("cluster"))) {
      Path config = Files.writeString(dir.resolve("external.yaml"),
          Files.readString(runFile("npe", 1, 5, 1000)).replace("  workers: 1\n", "  workers: 0\n")
              .replace("kafka:\n", "kafka:\n  bootstrap_servers: " + cluster.bootstrapServers() + "\n")
              + "run: kill-external\n");
      List<String> simulate = List.of("simulate", "--bootstrap-servers", cluster.bootstrapServers(), "--run",
          "kill-external", "--theta-dimension", "2", "--x-dimension", "2", "--persistent", "--concurrency", "2", "--",
          RunConfigFileTest.python(), script(), examples());
      Process[] worker = {null};
      try {
        // The worker joins once the run has made its topics, and is killed with it.
        Kill kill = runAndKill(config, () -> {
          if (worker[0] == null && Files.exists(dir.resolve("first.log")) && read(dir.resolve("first.log")).contains("SIMULATING")) {
            try {
              worker[0] = launch(dir.resolve("worker.log"), simulate);
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
          }
          return simulations() >= BUDGET / 3;
        });
        assertTrue(worker[0].isAlive(), "the worker outlives the run:\n" + read(dir.resolve("worker.log")));
        resumeAndCheck(config, kill, "npe, standalone worker");
      } finally {
        if (worker[0] != null) {
          worker[0].destroyForcibly();
          worker[0].waitFor(30, TimeUnit.SECONDS);
        }
      }
    }
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      return "";
    }
  }

  private record Kill(long simulationsAtKill, Path log) {}

  /** What the resumed run's log says it continued from. */
  private record Resumed(int round, long trainingStep, long samples) {}

  private Kill runAndKill(Path config, BooleanSupplier when) throws Exception {
    Path log = dir.resolve("first.log");
    Process run = launch(log, "run", "--config", config.toString());
    try {
      long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
      while (!when.getAsBoolean()) {
        assertTrue(run.isAlive(), "the run ended before the kill point:\n" + Files.readString(log));
        assertTrue(System.nanoTime() < deadline, "the kill point never came:\n" + Files.readString(log));
        Thread.sleep(20);
      }
    } finally {
      run.destroyForcibly();
      run.waitFor(30, TimeUnit.SECONDS);
    }
    // The program finishes the simulation it was running when its pipe closes: count it too.
    Thread.sleep(500);
    return new Kill(simulations(), log);
  }

  private Resumed resumeAndCheck(Path config, Kill kill, String method) throws Exception {
    Path log = dir.resolve("resumed.log");
    // A standalone worker goes on simulating after the kill: what it ran meanwhile is no repeat.
    long simulatedBefore = simulations();
    Process run = launch(log, "run", "--config", config.toString(), "--resume");
    try {
      assertTrue(run.waitFor(4, TimeUnit.MINUTES), "the resumed run did not finish:\n" + Files.readString(log));
    } finally {
      run.destroyForcibly();
    }
    String output = Files.readString(log);
    assertEquals(0, run.exitValue(), output);
    Matcher resumed = RESUMED.matcher(output);
    assertTrue(resumed.find(), "the log says what it resumed:\n" + output);
    Matcher rebuilt = REBUILT.matcher(output);
    assertTrue(rebuilt.find(), "the log says what it rebuilt:\n" + output);
    long samplesBefore = Long.parseLong(rebuilt.group(2));
    JsonNode summary = JSON.readTree(dir.resolve("out").resolve("summary.json").toFile());
    assertEquals(BUDGET, summary.get("samples").asInt(), "no sample lost: " + summary);
    assertEquals(0, summary.get("failed_proposals").asInt(), summary.toString());
    // Negative when a standalone worker committed more after the kill than it had run before: nothing was in flight.
    long inFlight = Math.max(0, simulatedBefore - samplesBefore);
    long repeated = simulations() - BUDGET;
    System.out.printf("kill suite: %s, %s: %d simulations at the kill, %d samples resumed, %d in flight, %d repeated"
        + " (%.1f %% of the budget)%n", method, kill.log(), kill.simulationsAtKill(), samplesBefore,
        inFlight, repeated, 100.0 * repeated / BUDGET);
    assertTrue(repeated <= inFlight, "simulated again " + repeated + ", more than the " + inFlight + " in flight:\n" + output);
    assertTrue(Files.exists(dir.resolve("out").resolve("posterior.bin")));
    return new Resumed(Integer.parseInt(resumed.group(4)), Long.parseLong(resumed.group(5)), samplesBefore);
  }

  private static long modified(Path file) {
    try {
      return Files.exists(file) ? Files.getLastModifiedTime(file).toMillis() : 0;
    } catch (IOException e) {
      return 0;
    }
  }

  private long simulations() {
    try {
      Path count = dir.resolve("simulations.txt");
      return Files.exists(count) ? Files.readAllLines(count).stream().filter(l -> !l.isBlank()).count() : 0;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String script() throws Exception {
    return Path.of(RunKillTest.class.getResource("/simulators/two-moons-counted-persistent.py").toURI()).toString();
  }

  private static String examples() {
    return FailingSimulatorRunTest.EXAMPLES.resolve("python").toAbsolutePath().normalize().toString();
  }

  /** two_moons simulated by a slow persistent program, checkpoints every 20 steps, no run name. */
  private Path runFile(String method, int rounds, int patience, int posteriorSamples) throws Exception {
    String script = script();
    String examples = examples();
    return Files.writeString(dir.resolve("run.yaml"), String.join("\n",
        "task: two_moons",
        "method: " + method,
        rounds > 1 ? "rounds: " + rounds : "",
        "simulator:",
        "  workers: 1",
        "  process:",
        "    command: [" + RunConfigFileTest.python() + ", " + script + ", " + examples + "]",
        "    protocol: persistent",
        "    concurrency: 2",
        "    environment:",
        "      STREAMSBI_TEST_COUNT: " + dir.resolve("simulations.txt"),
        "      STREAMSBI_TEST_DELAY: \"0.02\"",
        "observation:",
        "  task_index: 1",
        "budget:",
        "  simulations: " + BUDGET,
        "kafka:",
        "  proposals_per_message: 5",
        "trainer:",
        "  seed: 3",
        "  patience: " + patience,
        "  checkpoint_directory: " + dir.resolve("checkpoints"),
        "  checkpoint_interval: 20",
        "output:",
        "  directory: " + dir.resolve("out"),
        "  posterior_samples: " + posteriorSamples,
        "dashboard:",
        "  enabled: false",
        ""));
  }

  /** {@code streamsbi ARGS} in a JVM of its own on this classpath, with this JVM's options. */
  private Process launch(Path log, String... args) throws IOException {
    return launch(log, List.of(args));
  }

  private Process launch(Path log, List<String> args) throws IOException {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
        .filter(a -> a.startsWith("--add-opens") || a.startsWith("-Dai.djl") || a.startsWith("-XX:TieredStopAtLevel"))
        .forEach(command::add);
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), StreamSbi.class.getName()));
    command.addAll(args);
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    // For a standalone worker's program, which takes no environment from a run file.
    builder.environment().put("STREAMSBI_TEST_COUNT", dir.resolve("simulations.txt").toString());
    builder.environment().put("STREAMSBI_TEST_DELAY", "0.02");
    return builder.start();
  }
}

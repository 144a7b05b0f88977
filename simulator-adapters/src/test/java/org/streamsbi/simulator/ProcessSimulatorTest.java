package org.streamsbi.simulator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streamsbi.core.Proposal;
import org.streamsbi.simulator.ProcessSimulatorConfig.Channel;

class ProcessSimulatorTest {
  @TempDir Path dir;

  private static ProcessSimulator flaky() {
    return new ProcessSimulator(
        ProcessSimulatorConfig.custom("python3", Scripts.path("flaky.py")).thetaDimension(2).xDimension(2).build());
  }

  /** A seed whose residue mod 10 selects the flaky simulator's mode. */
  private static long seed(int mode) {
    return 1000 + mode;
  }

  @Test
  void shellCommandsInArgumentsArePassedLiterally() throws Exception {
    String crafted = "$(touch pwned); `touch pwned2` && touch pwned3 | cat > pwned4";
    Path echo = dir.resolve("echo.json");
    ProcessSimulator simulator =
        new ProcessSimulator(
            ProcessSimulatorConfig.custom("python3", Scripts.path("echo_args.py"), crafted, "*")
                .thetaDimension(2).xDimension(2)
                .passParameters(Channel.ARGUMENTS, Channel.ENVIRONMENT)
                .workingDirectory(dir)
                .environment("ECHO_TO", echo.toString())
                .build());
    float[] x = simulator.simulate(new float[] {0.5f, -1.25f}, 42);
    JsonNode seen = new ObjectMapper().readTree(echo.toFile());
    assertEquals(List.of(crafted, "*", "--theta", "0.5,-1.25", "--seed", "42"),
        new ObjectMapper().convertValue(seen.get("argv"), List.class));
    assertEquals("0.5,-1.25", seen.get("theta").asText());
    assertEquals("42", seen.get("seed").asText());
    assertArrayEquals(new float[] {6, 42}, x);
    try (var files = Files.list(dir)) {
      assertEquals(List.of(echo), files.toList(), "no shell ran, so nothing else was created");
    }
  }

  @Test
  void goodOutputFollowingALogLineIsX() {
    float[] theta = {0.25f, 3f};
    long seed = seed(7);
    assertArrayEquals(new float[] {0.25f + seed % 7, 3f}, flaky().simulate(theta, seed));
  }

  @Test
  void badOutputsAreInvalidAndNamed() {
    SimulationException garbage = assertThrows(SimulationException.class, () -> flaky().simulate(new float[] {0, 0}, seed(1)));
    assertEquals(SimulationException.Kind.INVALID_OUTPUT, garbage.kind());
    assertTrue(garbage.getMessage().contains("unparsable output"), garbage.getMessage());
    SimulationException nan = assertThrows(SimulationException.class, () -> flaky().simulate(new float[] {0, 0}, seed(2)));
    assertTrue(nan.getMessage().contains("non-finite"), nan.getMessage());
    SimulationException wide = assertThrows(SimulationException.class, () -> flaky().simulate(new float[] {0, 0}, seed(3)));
    assertTrue(wide.getMessage().contains("returned 3 values, expected 2"), wide.getMessage());
    assertFalse(wide.isTransient());
  }

  @Test
  void crashCarriesExitCodeAndStderrTail() {
    SimulationException crash = null;
    for (int i = 0; i < 20 && crash == null; i++) {
      try {
        flaky().simulate(new float[] {0, 0}, seed(4));
      } catch (SimulationException e) {
        crash = e;
      }
    }
    assertTrue(crash != null, "the flaky simulator crashes half of the time");
    assertEquals(SimulationException.Kind.FAILED, crash.kind());
    assertEquals(3, crash.exitCode().getAsInt());
    assertTrue(crash.stderrTail().contains("random crash at seed 1004"), crash.stderrTail());
    assertTrue(crash.isTransient());
  }

  @Test
  void timeLimiterKillsAHangingProcess() throws Exception {
    Path pid = dir.resolve("pid");
    ProcessSimulator hang =
        new ProcessSimulator(
            ProcessSimulatorConfig.custom("python3", Scripts.path("hang.py")).thetaDimension(1).xDimension(1)
                .environment("PID_TO", pid.toString()).build());
    SimulationWorkerConfig config =
        SimulationWorkerConfig.custom().timeLimit(Duration.ofMillis(1500)).maxAttempts(2)
            .initialBackoff(Duration.ofMillis(10)).build();
    try (ResilientSimulation resilient = new ResilientSimulation("hang", StreamingSimulator.of(hang), config)) {
      ResilientSimulation.Outcome outcome = resilient.simulate(new Proposal("r", 1, "p", 1, new float[] {0}));
      assertEquals(SimulationException.Kind.TIMED_OUT, outcome.failure().kind());
      assertEquals(2, outcome.attempts());
      assertTrue(outcome.failure().stderrTail().contains("about to hang"), outcome.failure().stderrTail());
      long id = Long.parseLong(Files.readString(pid).strip());
      long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
      while (ProcessHandle.of(id).map(ProcessHandle::isAlive).orElse(false) && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      assertFalse(ProcessHandle.of(id).map(ProcessHandle::isAlive).orElse(false), "the hanging process was killed");
    }
  }

  @Test
  void exampleSimulatorIsReproducibleFromItsSeedThroughEveryChannel() {
    float[] theta = {0.3f, 1.2f};
    float[] viaStdin = example(Channel.STDIN).simulate(theta, 7);
    assertArrayEquals(viaStdin, example(Channel.STDIN).simulate(theta, 7));
    assertArrayEquals(viaStdin, example(Channel.ARGUMENTS).simulate(theta, 7));
    assertArrayEquals(viaStdin, example(Channel.ENVIRONMENT).simulate(theta, 7));
    assertFalse(java.util.Arrays.equals(viaStdin, example(Channel.STDIN).simulate(theta, 8)));
    // x(t=0.5) = exp(-0.15) cos(0.6) plus noise of sd 0.05
    assertEquals(Math.exp(-0.15) * Math.cos(0.6), viaStdin[0], 0.3);
  }

  private static ProcessSimulator example(Channel channel) {
    return new ProcessSimulator(
        ProcessSimulatorConfig.custom("python3", Scripts.example("python/simulator.py"))
            .thetaDimension(2).xDimension(10).passParameters(channel).build());
  }

  @Test
  void wrongConfigNamesTheField() {
    assertMessage("thetaDimension", () -> ProcessSimulatorConfig.custom("x").xDimension(1).build());
    assertMessage("command", () -> ProcessSimulatorConfig.custom().thetaDimension(1).xDimension(1).build());
    assertMessage("passParameters", () -> ProcessSimulatorConfig.custom("x").thetaDimension(1).xDimension(1).passParameters().build());
    assertMessage("workingDirectory", () -> ProcessSimulatorConfig.custom("x").thetaDimension(1).xDimension(1).workingDirectory(dir.resolve("none")).build());
    assertMessage("concurrency", () -> SimulationWorkerConfig.custom().concurrency(0).build());
    assertMessage("timeLimit", () -> SimulationWorkerConfig.custom().timeLimit(Duration.ofSeconds(-1)).build());
    assertMessage("maxAttempts", () -> SimulationWorkerConfig.custom().maxAttempts(0).build());
    assertMessage("minimumNumberOfCalls", () -> SimulationWorkerConfig.custom().slidingWindowSize(5).minimumNumberOfCalls(6).build());
    SimulationException missing = assertThrows(SimulationException.class, () ->
        new ProcessSimulator(ProcessSimulatorConfig.custom(dir.resolve("no-such-solver").toString()).thetaDimension(1).xDimension(1).build())
            .simulate(new float[] {0}, 0));
    assertTrue(missing.getMessage().startsWith("cannot start"), missing.getMessage());
  }

  private static void assertMessage(String field, org.junit.jupiter.api.function.Executable build) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, build);
    assertTrue(e.getMessage().startsWith(field), e.getMessage());
  }
}

package org.streamsbi.simulator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streamsbi.core.Proposal;
import org.streamsbi.simulator.ProcessSimulatorConfig.Channel;
import org.streamsbi.simulator.ProcessSimulatorConfig.Protocol;

/** The persistent protocol against real Python programs, without Kafka. */
class PersistentProcessSimulatorTest {
  @TempDir Path dir;

  /** The tests' persistent program in a mode, served by the shipped helper. */
  static ProcessSimulatorConfig.Builder program(String mode) {
    return ProcessSimulatorConfig.custom("python3", Scripts.path("persistent.py"), mode)
        .thetaDimension(2).xDimension(2).protocol(Protocol.PERSISTENT)
        .environment("PYTHONPATH", Scripts.example("python"));
  }

  private static List<Proposal> proposals(int n, long firstSeed) {
    List<Proposal> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(new Proposal("run", 1, "p-" + i, firstSeed + i, new float[] {i, -i}));
    }
    return out;
  }

  private List<String> pids() throws Exception {
    try (var files = Files.list(dir)) {
      return files.map(f -> f.getFileName().toString()).sorted().toList();
    }
  }

  private static boolean alive(String pid) {
    return ProcessHandle.of(Long.parseLong(pid)).map(ProcessHandle::isAlive).orElse(false);
  }

  @Test
  void theExampleGivesTheOneShotExamplesXForTheSameThetaAndSeed() {
    float[] theta = {0.3f, 1.2f};
    float[] oneShot = new ProcessSimulator(
        ProcessSimulatorConfig.custom("python3", Scripts.example("python/simulator.py")).thetaDimension(2).xDimension(10)
            .build()).simulate(theta, 7);
    List<float[]> persistent = new ArrayList<>();
    new PersistentProcessSimulator(
        ProcessSimulatorConfig.custom("python3", Scripts.example("python/persistent_simulator.py"))
            .thetaDimension(2).xDimension(10).protocol(Protocol.PERSISTENT).build())
        .simulate(theta, 7, (step, x) -> persistent.add(x));
    assertEquals(1, persistent.size());
    assertArrayEquals(oneShot, persistent.get(0));
  }

  @Test
  void oneProgramAnswersManyRequestsAndEndsWhenTheSessionCloses() throws Exception {
    PersistentProcessSimulator simulator =
        new PersistentProcessSimulator(program("garbage").batchSize(10).environment("PID_DIR", dir.toString()).build());
    List<BatchSimulator.Result> last = null;
    try (BatchSimulator.Session session = simulator.open(1)) {
      for (int request = 0; request < 5; request++) {
        last = session.simulate(proposals(10, 100 + 10 * request), Duration.ofSeconds(30));
      }
      assertEquals(1, pids().size(), "one program served every request");
      assertTrue(alive(pids().get(0)));
    }
    assertFalse(alive(pids().get(0)), "closing the session ended the program");
    // seeds 140..149: 141 NaN, 142 three values, 143 an error; the rest x = (θ0 + seed % 7, θ1)
    assertArrayEquals(new float[] {0 + 140 % 7, 0}, last.get(0).x());
    assertEquals(SimulationException.Kind.INVALID_OUTPUT, last.get(1).failure().kind());
    assertEquals(SimulationException.Kind.INVALID_OUTPUT, last.get(2).failure().kind());
    assertEquals(SimulationException.Kind.FAILED, last.get(3).failure().kind());
    assertTrue(last.get(3).failure().getMessage().contains("RuntimeError: diverged at seed 143"), last.get(3).failure().getMessage());
    assertNull(last.get(4).failure());
    assertArrayEquals(new float[] {9 + 149 % 7, -9}, last.get(9).x());
  }

  @Test
  void anOverrunningRequestTimesOutAndItsProgramIsReplaced() throws Exception {
    PersistentProcessSimulator simulator =
        new PersistentProcessSimulator(program("hang").batchSize(3).environment("PID_DIR", dir.toString()).build());
    try (BatchSimulator.Session session = simulator.open(1)) {
      List<BatchSimulator.Result> hung = session.simulate(proposals(3, 9), Duration.ofSeconds(3));
      for (BatchSimulator.Result r : hung) {
        assertEquals(SimulationException.Kind.TIMED_OUT, r.failure().kind());
        assertTrue(r.failure().getMessage().contains("exceeded its time limit of 3000 ms"), r.failure().getMessage());
        assertTrue(r.failure().stderrTail().contains("hanging at seeds [10]"), r.failure().stderrTail());
      }
      String first = pids().get(0);
      assertFalse(alive(first), "the hanging program was killed");
      List<BatchSimulator.Result> fine = session.simulate(proposals(3, 1), Duration.ofSeconds(30));
      assertArrayEquals(new float[] {0 + 1, 0}, fine.get(0).x());
      assertEquals(2, pids().size(), "a fresh program took over");
    }
  }

  @Test
  void aProgramThatDiesFailsItsRequestWithItsStatusAndStderr() {
    PersistentProcessSimulator simulator = new PersistentProcessSimulator(program("exit-at-start").build());
    try (BatchSimulator.Session session = simulator.open(1)) {
      SimulationException failure = session.simulate(proposals(1, 0), Duration.ZERO).get(0).failure();
      assertEquals(SimulationException.Kind.FAILED, failure.kind());
      assertEquals(3, failure.exitCode().getAsInt());
      assertTrue(failure.getMessage().contains("exited with status 3"), failure.getMessage());
      assertTrue(failure.stderrTail().contains("cannot load the model"), failure.stderrTail());
    }
    SimulationException missing = assertThrows(SimulationException.class, () ->
        new PersistentProcessSimulator(ProcessSimulatorConfig.custom(dir.resolve("no-such-solver").toString())
            .thetaDimension(2).xDimension(2).protocol(Protocol.PERSISTENT).build())
            .simulate(new float[] {0, 0}, 0, (step, x) -> { }));
    assertTrue(missing.getMessage().startsWith("cannot start"), missing.getMessage());
  }

  @Test
  void wrongConfigNamesTheField() {
    assertMessage("batchSize must be at least 1, got 0", () -> program("well").batchSize(0).build());
    assertMessage("batchSize must be 1 for the ONE_SHOT protocol",
        () -> program("well").protocol(Protocol.ONE_SHOT).batchSize(10).build());
    assertMessage("passParameters must be STDIN alone for the persistent protocol",
        () -> program("well").passParameters(Channel.STDIN, Channel.ARGUMENTS).build());
    assertMessage("protocol must be one of", () -> program("well").protocol(null).build());
    assertMessage("protocol must be PERSISTENT", () -> new PersistentProcessSimulator(
        program("well").protocol(Protocol.ONE_SHOT).build()));
    assertMessage("protocol must be ONE_SHOT", () -> new ProcessSimulator(program("well").build()));
  }

  private static void assertMessage(String start, org.junit.jupiter.api.function.Executable build) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, build);
    assertTrue(e.getMessage().startsWith(start), e.getMessage());
  }
}

package org.streamsbi.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SbibmBenchmarkTest {

  @Test
  void observationsAreRangesOrListsWithinTheTen() {
    assertArrayEquals(new int[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, SbibmBenchmark.observationNumbers("1-10"));
    assertArrayEquals(new int[] {1, 4, 7, 8}, SbibmBenchmark.observationNumbers("1,4,7-8"));
    for (String bad : new String[] {"0-3", "3-1", "11", "1-2-3", "one"}) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> SbibmBenchmark.observationNumbers(bad));
      assertTrue(e.getMessage().startsWith("--observations"), e.getMessage());
    }
  }

  @Test
  void badMethodOrSimulationCostExitsWithTwo() {
    RunCommandTest.Outcome apt = RunCommandTest.execute("bench", "sbibm", "--task", "two_moons", "--method", "apt", "--observations", "1");
    assertEquals(2, apt.exitCode(), apt.err());
    assertTrue(apt.err().contains("method must be npe, snpe, tsnpe or tsnpe-async, got apt"), apt.err());
    // snpe is accepted: the run stops at the next check, the negative cost.
    RunCommandTest.Outcome cost = RunCommandTest.execute(
        "bench", "sbibm", "--task", "two_moons", "--method", "snpe", "--simulation-ms", "-1", "--observations", "2");
    assertEquals(2, cost.exitCode(), cost.err());
    assertTrue(cost.err().contains("--simulation-ms must not be negative"), cost.err());
  }

  @Test
  void aFlowOfNoLayersExitsWithTwoNamingTheOption() {
    RunCommandTest.Outcome none = RunCommandTest.execute(
        "bench", "sbibm", "--task", "two_moons", "--estimator", "nsf", "--transforms", "0", "--observations", "1");
    assertEquals(2, none.exitCode(), none.err());
    assertTrue(none.err().contains("--transforms, --hidden-units and --ensemble must be at least 1, got 0, 50 and 1"), none.err());
  }
}

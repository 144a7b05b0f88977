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
  void badMethodOrMissingReferenceExitsWithTwo() {
    RunCommandTest.Outcome snpe = RunCommandTest.execute("bench", "sbibm", "--task", "two_moons", "--method", "snpe", "--observations", "1");
    assertEquals(2, snpe.exitCode(), snpe.err());
    assertTrue(snpe.err().contains("not available yet"), snpe.err());
    RunCommandTest.Outcome reference = RunCommandTest.execute("bench", "sbibm", "--task", "two_moons", "--reference", "/nonexistent", "--observations", "2");
    assertEquals(2, reference.exitCode(), reference.err());
    assertTrue(reference.err().contains("--reference: no reference posterior at /nonexistent/two_moons/obs2"), reference.err());
  }
}

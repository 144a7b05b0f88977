package org.streamsbi.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SimulateCommandTest {

  private static void assertRefused(String field, String... args) {
    RunCommandTest.Outcome o = RunCommandTest.execute(args);
    assertEquals(2, o.exitCode(), o.err());
    assertTrue(o.err().contains(field), o.err());
  }

  @Test
  void wrongSettingsStopAtStartNamingTheField() {
    assertRefused("thetaDimension must be at least 1",
        "simulate", "--bootstrap-servers", "127.0.0.1:1", "--run", "r", "--theta-dimension", "0", "--x-dimension", "2", "--", "python3", "sim.py");
    assertRefused("concurrency must be at least 1",
        "simulate", "--bootstrap-servers", "127.0.0.1:1", "--run", "r", "--theta-dimension", "2", "--x-dimension", "2", "--concurrency", "0", "--", "python3");
    assertRefused("--timeout must be 0 (none) or positive",
        "simulate", "--bootstrap-servers", "127.0.0.1:1", "--run", "r", "--theta-dimension", "2", "--x-dimension", "2", "--timeout", "-1", "--", "python3");
    assertRefused("run name must be",
        "simulate", "--bootstrap-servers", "127.0.0.1:1", "--run", "a b", "--theta-dimension", "2", "--x-dimension", "2", "--", "python3");
    assertRefused("batchSize must be at least 1, got 0",
        "simulate", "--bootstrap-servers", "127.0.0.1:1", "--run", "r", "--theta-dimension", "2", "--x-dimension", "2", "--persistent", "--batch", "0", "--", "python3");
    assertRefused("batchSize must be 1 for the ONE_SHOT protocol",
        "simulate", "--bootstrap-servers", "127.0.0.1:1", "--run", "r", "--theta-dimension", "2", "--x-dimension", "2", "--batch", "10", "--", "python3");
    assertRefused("streaming applies to the one-shot protocol",
        "simulate", "--bootstrap-servers", "127.0.0.1:1", "--run", "r", "--theta-dimension", "2", "--x-dimension", "2", "--persistent", "--streaming", "--", "python3");
    assertRefused("PROGRAM",
        "simulate", "--bootstrap-servers", "127.0.0.1:1", "--run", "r", "--theta-dimension", "2", "--x-dimension", "2");
  }
}

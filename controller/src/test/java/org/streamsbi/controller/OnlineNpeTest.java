package org.streamsbi.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streamsbi.core.prior.BoxUniform;
import org.streamsbi.simulator.SimulationException;
import org.streamsbi.simulator.Simulator;

class OnlineNpeTest {

  @TempDir Path dir;

  @Test
  void aRunWhoseSimulationsAllFailEndsWithAReasonInsteadOfHanging() {
    Simulator broken =
        Simulator.of(2, 2, (theta, seed) -> {
          if (theta[0] > -0.8f) {
            throw new SimulationException("license server unreachable");
          }
          return new float[] {theta[0], Float.NaN};
        });
    List<RunProgress> reports = new ArrayList<>();
    RunConfig config = RunConfig.custom("all-fail", 200).brokerDirectory(dir).proposalsPerMessage(20).build();
    RunFailedException e =
        assertThrows(
            RunFailedException.class,
            () -> new OnlineNpe(BoxUniform.of(2, -1, 1), broken).onProgress(reports::add).run(config));
    assertTrue(e.getMessage().contains("all 200 simulations arrived"), e.getMessage());
    assertTrue(e.getMessage().contains("proposals failed"), e.getMessage());
    assertTrue(e.getMessage().contains("streamsbi.all-fail.dead-letters"), e.getMessage());
    RunProgress last = reports.get(reports.size() - 1);
    assertEquals(200, last.samples() + last.failedProposals());
    assertTrue(last.failedProposals() > 100, "most proposals fail: " + last);
  }

  @Test
  void configNamesTheFieldItRefuses() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> RunConfig.custom("x", 100).brokerDirectory(dir).watermark(500).build());
    assertTrue(e.getMessage().startsWith("watermark"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> RunConfig.custom("x", 100).build());
    assertTrue(e.getMessage().startsWith("brokerDirectory"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> RunConfig.custom("bad name", 100).brokerDirectory(dir).build());
    assertTrue(e.getMessage().contains("run name"), e.getMessage());
  }

  @Test
  void plateauCountsOnlyOnceEverySimulationArrived() {
    boolean[] arrived = {false};
    PlateauAfterArrival rule = new PlateauAfterArrival(() -> arrived[0], 3);
    org.streamsbi.trainer.TrainingProgress flat = new org.streamsbi.trainer.TrainingProgress(100, 25600, 1, 1, 0.9, 5, 1, 5e-4, 100, 25600, 0, 0);
    assertEquals(false, rule.shouldStop(flat));
    arrived[0] = true;
    assertEquals(true, rule.shouldStop(flat));
    assertEquals(false, rule.shouldStop(new org.streamsbi.trainer.TrainingProgress(100, 25600, 1, 1, 0.9, 2, 1, 5e-4, 100, 25600, 0, 0)));
  }
}

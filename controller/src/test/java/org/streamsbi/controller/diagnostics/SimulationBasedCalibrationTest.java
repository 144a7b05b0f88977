package org.streamsbi.controller.diagnostics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class SimulationBasedCalibrationTest {
  private final ConjugateGaussian model = new ConjugateGaussian(3, 1.0, 0.25);
  private final DiagnosticsConfig config = new DiagnosticsConfig(300, 500, 100, 2, 11);

  private SimulationBasedCalibration.Result sbc(PosteriorEstimate posterior) {
    return SimulationBasedCalibration.of(CalibrationSample.draw(model.prior(), model.simulator(), posterior, config));
  }

  @Test
  void ranksOfTheExactPosteriorAreUniform() {
    SimulationBasedCalibration.Result result = sbc(model.exactPosterior());
    for (double p : result.pValues()) {
      assertTrue(p > 0.01, "p-values " + Arrays.toString(result.pValues()));
    }
    assertEquals(300, result.ranks().length);
    assertEquals(300, Arrays.stream(result.histogram(0)).sum());
  }

  @Test
  void aTooNarrowPosteriorIsRejected() {
    SimulationBasedCalibration.Result result = sbc(model.posterior(0.6, 0));
    assertTrue(result.adjustedMinPValue() < 1e-3, "p-values " + Arrays.toString(result.pValues()));
    // Too narrow a posterior piles the true θ onto the extreme ranks.
    long[] counts = result.histogram(0);
    assertTrue(counts[0] + counts[counts.length - 1] > 4.0 * 300 / counts.length, Arrays.toString(counts));
  }

  @Test
  void aBiasedPosteriorIsRejected() {
    SimulationBasedCalibration.Result result = sbc(model.posterior(1, 0.3));
    for (double p : result.pValues()) {
      assertTrue(p < 1e-3, "p-values " + Arrays.toString(result.pValues()));
    }
  }

  @Test
  void binsKeepFiveExpectedRunsEach() {
    DiagnosticsConfig few = new DiagnosticsConfig(40, 500, 10, 1, 3);
    SimulationBasedCalibration.Result result =
        SimulationBasedCalibration.of(CalibrationSample.draw(model.prior(), model.simulator(), model.exactPosterior(), few));
    assertEquals(8, result.bins());
    assertEquals(1.0, Arrays.stream(result.binShares()).sum(), 1e-9);
  }

  @Test
  void refusesAPosteriorOfAnotherDimension() {
    ConjugateGaussian other = new ConjugateGaussian(2, 1.0, 0.25);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> CalibrationSample.draw(model.prior(), model.simulator(), other.exactPosterior(), config));
    assertTrue(e.getMessage().contains("posterior 2"), e.getMessage());
  }
}

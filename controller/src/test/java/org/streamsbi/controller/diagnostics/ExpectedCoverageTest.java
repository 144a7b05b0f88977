package org.streamsbi.controller.diagnostics;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ExpectedCoverageTest {
  private final ConjugateGaussian model = new ConjugateGaussian(2, 1.0, 0.25);
  private final DiagnosticsConfig config = new DiagnosticsConfig(400, 400, 10, 2, 5);

  private ExpectedCoverage.Curve coverage(PosteriorEstimate posterior) {
    CalibrationSample sample = CalibrationSample.draw(model.prior(), model.simulator(), posterior, config);
    return ExpectedCoverage.of(sample, posterior, ExpectedCoverage.percentLevels());
  }

  @Test
  void theExactPosteriorCoversAtTheNominalRate() {
    ExpectedCoverage.Curve curve = coverage(model.exactPosterior());
    for (int k = 0; k < curve.levels().length; k++) {
      double level = curve.levels()[k];
      // Four binomial standard errors of 400 runs: the whole curve stays inside.
      double tolerance = 4 * Math.sqrt(level * (1 - level) / 400) + 0.01;
      assertTrue(Math.abs(curve.coverage()[k] - level) < tolerance, "coverage at " + level + ": " + curve.coverage()[k]);
    }
  }

  @Test
  void anOverconfidentPosteriorCoversLess() {
    ExpectedCoverage.Curve curve = coverage(model.posterior(0.6, 0));
    assertTrue(curve.at(0.5) < 0.35, "coverage at 0.5: " + curve.at(0.5));
    assertTrue(curve.at(0.9) < 0.75, "coverage at 0.9: " + curve.at(0.9));
  }

  @Test
  void anUnderconfidentPosteriorCoversMore() {
    ExpectedCoverage.Curve curve = coverage(model.posterior(1.6, 0));
    assertTrue(curve.at(0.5) > 0.65, "coverage at 0.5: " + curve.at(0.5));
  }
}

package org.streamsbi.controller.diagnostics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PosteriorPredictiveCheckTest {
  private final ConjugateGaussian model = new ConjugateGaussian(3, 1.0, 0.05);
  private final DiagnosticsConfig config = new DiagnosticsConfig(10, 10, 500, 2, 9);
  private final float[] observation = {0.8f, -0.5f, 1.2f};

  private PosteriorPredictiveCheck.Result check(PosteriorEstimate posterior) {
    return PosteriorPredictiveCheck.run(model.prior(), model.simulator(), posterior.sample(500, observation, 1), observation, config);
  }

  @Test
  void theExactPosteriorPredictsTheObservationFarBetterThanThePrior() {
    PosteriorPredictiveCheck.Result result = check(model.exactPosterior());
    assertEquals(500, result.posterior().length);
    assertEquals(500, result.prior().length);
    assertTrue(result.medianRatio() < 0.4, "median ratio " + result.medianRatio());
  }

  @Test
  void aPosteriorAwayFromTheObservationPredictsWorse() {
    double exact = check(model.exactPosterior()).medianRatio();
    double shifted = check(model.posterior(1, 1.0)).medianRatio();
    assertTrue(shifted > 2 * exact, "shifted " + shifted + ", exact " + exact);
  }

  @Test
  void quantilesInterpolate() {
    double[] d = {4, 1, 3, 2};
    assertEquals(2.5, PosteriorPredictiveCheck.Result.quantile(d, 0.5), 1e-12);
    assertEquals(1, PosteriorPredictiveCheck.Result.quantile(d, 0), 1e-12);
    assertEquals(4, PosteriorPredictiveCheck.Result.quantile(d, 1), 1e-12);
    assertEquals(2.5, PosteriorPredictiveCheck.Result.mean(d), 1e-12);
  }
}

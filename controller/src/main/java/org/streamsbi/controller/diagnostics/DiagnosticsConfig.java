package org.streamsbi.controller.diagnostics;

/**
 * How much work the diagnostics do.
 *
 * @param sbcRuns held-out (θ, x) pairs from the prior predictive, for SBC and expected coverage
 * @param posteriorDraws draws of q(θ | x) per held-out x, and at x_o
 * @param predictiveDraws simulations at posterior and at prior draws for the predictive check
 * @param threads simulations running at once
 * @param seed fixes every draw
 */
public record DiagnosticsConfig(
    int sbcRuns, int posteriorDraws, int predictiveDraws, int threads, long seed) {

  public DiagnosticsConfig {
    if (sbcRuns < 2) {
      throw new IllegalArgumentException("diagnostics.sbcRuns must be at least 2, got " + sbcRuns);
    }
    if (posteriorDraws < 2) {
      throw new IllegalArgumentException(
          "diagnostics.posteriorDraws must be at least 2, got " + posteriorDraws);
    }
    if (predictiveDraws < 1) {
      throw new IllegalArgumentException(
          "diagnostics.predictiveDraws must be at least 1, got " + predictiveDraws);
    }
    if (threads < 1) {
      throw new IllegalArgumentException("diagnostics.threads must be at least 1, got " + threads);
    }
  }
}

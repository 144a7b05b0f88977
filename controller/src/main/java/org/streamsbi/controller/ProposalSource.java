package org.streamsbi.controller;

import java.util.SplittableRandom;
import org.streamsbi.trainer.Posterior;

/** Where a round's θ come from: a truncation region of the prior (tsnpe) or a posterior (snpe). */
interface ProposalSource {

  /** {@code n} draws of θ, all randomness from {@code rng}. */
  float[][] sample(int n, SplittableRandom rng);

  /**
   * Draws from q(θ | x_o) inside the prior's support, as SNPE-C's proposal; the posterior must
   * stay open while the source is used.
   */
  static ProposalSource posterior(Posterior posterior, float[] observation) {
    return (n, rng) -> posterior.sample(n, observation, rng.nextLong()).theta();
  }
}

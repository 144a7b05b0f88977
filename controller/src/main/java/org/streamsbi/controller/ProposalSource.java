package org.streamsbi.controller;

import java.util.SplittableRandom;
import org.streamsbi.core.prior.Prior;
import org.streamsbi.trainer.Posterior;

/**
 * Where a round's θ come from: the prior (round 1), a truncation region of it (tsnpe) or a
 * posterior (snpe).
 */
interface ProposalSource {

  /** {@code n} draws of θ, all randomness from {@code rng}. */
  float[][] sample(int n, SplittableRandom rng);

  static ProposalSource prior(Prior prior) {
    return (n, rng) -> {
      float[][] thetas = new float[n][];
      for (int i = 0; i < n; i++) {
        thetas[i] = prior.sample(rng);
      }
      return thetas;
    };
  }

  /**
   * Draws from q(θ | x_o) inside the prior's support, as SNPE-C's proposal; the posterior must
   * stay open while the source is used.
   */
  static ProposalSource posterior(Posterior posterior, float[] observation) {
    return (n, rng) -> posterior.sample(n, observation, rng.nextLong()).theta();
  }
}

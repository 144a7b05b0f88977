package org.streamsbi.core.prior;

import java.util.random.RandomGenerator;

/** A prior distribution p(θ) over parameters, as in sbi. */
public interface Prior {

  /** Number of parameters. */
  int dimension();

  /** One draw θ ~ p(θ). */
  float[] sample(RandomGenerator rng);

  /** log p(θ); negative infinity outside the support. */
  double logProb(float[] theta);

  /** Whether p(θ) &gt; 0. */
  boolean inSupport(float[] theta);
}

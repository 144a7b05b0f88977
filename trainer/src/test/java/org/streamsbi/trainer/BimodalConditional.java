package org.streamsbi.trainer;

import java.util.SplittableRandom;
import org.streamsbi.buffer.ReplayBuffer;
import org.streamsbi.buffer.ReplayBufferConfig;
import org.streamsbi.core.Sample;
import org.streamsbi.core.prior.MultivariateNormal;

/**
 * θ | x = ±x + N(0, σ²) with equal weights and x ~ U(1, 2): two separated modes that a single
 * affine layer cannot make, and a one-dimensional θ, whose conditioner sees x alone.
 */
final class BimodalConditional {
  static final double SIGMA = 0.3;
  private static final int SAMPLES = 10_000;

  private BimodalConditional() {}

  /** An estimator of {@code flow} trained for 2,000 steps on 10,000 draws of the conditional. */
  static Posterior trained(FlowConfig flow) throws InterruptedException {
    ReplayBuffer buffer = new ReplayBuffer(new ReplayBufferConfig(SAMPLES, SAMPLES / 2, 0.1), 1, 1);
    SplittableRandom rng = new SplittableRandom(4);
    for (int i = 0; i < SAMPLES; i++) {
      float x = (float) (1 + rng.nextDouble());
      float theta = (float) ((rng.nextBoolean() ? x : -x) + SIGMA * rng.nextGaussian());
      String id = "b" + i;
      buffer.insert(new Sample(id, "run", 1, id, 0, new float[] {theta}, new float[] {x}, "w", 0));
    }
    return new NpeTrainer(flow, new TrainerConfig(256, 1e-3, 250, 5.0, 3))
        .train(buffer, MultivariateNormal.isotropic(new double[1], 100), StoppingRule.maxSteps(2_000))
        .posterior();
  }

  /** p(θ | x). */
  static double density(double theta, double x) {
    return 0.5 * (normal(theta - x) + normal(theta + x));
  }

  private static double normal(double deviation) {
    return Math.exp(-0.5 * deviation * deviation / (SIGMA * SIGMA)) / (SIGMA * Math.sqrt(2 * Math.PI));
  }
}

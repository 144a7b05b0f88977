package org.streamsbi.trainer;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.streamsbi.buffer.ReplayBuffer;
import org.streamsbi.buffer.ReplayBufferConfig;
import org.streamsbi.core.Sample;
import org.streamsbi.core.prior.Prior;
import org.streamsbi.simulator.sbibm.BenchmarkTask;

/**
 * End-to-end quality with the default settings on sbibm tasks at 10⁴ simulations: train, draw
 * 10,000 posterior samples, C2ST against the reference posterior. Minutes long, so it runs only
 * with -Dstreamsbi.sbibm.quality=true (observations 1..N with -Dstreamsbi.sbibm.observations=N).
 */
@EnabledIfSystemProperty(named = "streamsbi.sbibm.quality", matches = "true")
class SbibmQualityTest {
  private static final int SIMULATIONS = 10_000;

  @Test
  void twoMoons() throws Exception {
    double c2st = meanC2st("two_moons");
    assertTrue(c2st <= 0.65, "two_moons C2ST " + c2st);
  }

  @Test
  void gaussianLinear() throws Exception {
    double c2st = meanC2st("gaussian_linear");
    assertTrue(c2st <= 0.60, "gaussian_linear C2ST " + c2st);
  }

  private static double meanC2st(String name) throws Exception {
    BenchmarkTask task = BenchmarkTask.named(name);
    Prior prior = task.prior();
    int observations = Integer.getInteger("streamsbi.sbibm.observations", 1);
    double sum = 0;
    for (int obs = 1; obs <= observations; obs++) {
      float[] observation = task.observation(obs);
      float[][] reference = task.referencePosterior(obs);
      SplittableRandom rng = new SplittableRandom(obs);
      ReplayBuffer buffer =
          new ReplayBuffer(
              new ReplayBufferConfig(SIMULATIONS, 1, 0.1), prior.dimension(), observation.length);
      for (int i = 0; i < SIMULATIONS; i++) {
        float[] theta = prior.sample(rng);
        String id = name + obs + "-" + i;
        buffer.insert(new Sample(id, "run", 1, id, obs, theta, task.simulate(theta, rng.nextLong()), "w", 0));
      }
      long started = System.nanoTime();
      TrainingResult result =
          new NpeTrainer(FlowConfig.defaults(), TrainerConfig.defaults().withSeed(obs))
              .train(buffer, prior, StoppingRule.patience(20));
      double trainSeconds = (System.nanoTime() - started) / 1e9;
      try (Posterior posterior = result.posterior()) {
        PosteriorSamples samples = posterior.sample(reference.length, observation, obs);
        started = System.nanoTime();
        double c2st = ClassifierTwoSampleTest.accuracy(reference, samples.theta(), obs);
        System.out.printf(
            "SBIBM %s obs%d: C2ST %.3f, %d steps (%.1f s, %.2f ms/step), validation loss %.3f,"
                + " acceptance %.3f, C2ST %.1f s%n",
            name, obs, c2st, result.steps(), trainSeconds, 1e3 * trainSeconds / result.steps(),
            result.validationLoss(), samples.acceptanceRate(),
            (System.nanoTime() - started) / 1e9);
        sum += c2st;
      }
    }
    return sum / observations;
  }
}

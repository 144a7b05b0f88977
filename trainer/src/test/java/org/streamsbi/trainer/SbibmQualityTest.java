package org.streamsbi.trainer;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.streamsbi.buffer.ReplayBuffer;
import org.streamsbi.buffer.ReplayBufferConfig;
import org.streamsbi.core.Sample;
import org.streamsbi.core.prior.BoxUniform;
import org.streamsbi.core.prior.MultivariateNormal;
import org.streamsbi.core.prior.Prior;

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
    double c2st = meanC2st("two_moons", BoxUniform.of(2, -1, 1), SbibmQualityTest::twoMoons);
    assertTrue(c2st <= 0.65, "two_moons C2ST " + c2st);
  }

  @Test
  void gaussianLinear() throws Exception {
    double c2st =
        meanC2st(
            "gaussian_linear",
            MultivariateNormal.isotropic(new double[10], 0.1),
            SbibmQualityTest::gaussianLinear);
    assertTrue(c2st <= 0.60, "gaussian_linear C2ST " + c2st);
  }

  private static float[] twoMoons(float[] theta, SplittableRandom rng) {
    double a = (rng.nextDouble() - 0.5) * Math.PI;
    double r = 0.1 + 0.01 * rng.nextGaussian();
    double p0 = r * Math.cos(a) + 0.25;
    double p1 = r * Math.sin(a);
    double z0 = (theta[0] + theta[1]) / Math.sqrt(2);
    double z1 = (theta[1] - theta[0]) / Math.sqrt(2);
    return new float[] {(float) (p0 - Math.abs(z0)), (float) (p1 + z1)};
  }

  private static float[] gaussianLinear(float[] theta, SplittableRandom rng) {
    float[] x = new float[theta.length];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) (theta[i] + Math.sqrt(0.1) * rng.nextGaussian());
    }
    return x;
  }

  private static double meanC2st(
      String task, Prior prior, BiFunction<float[], SplittableRandom, float[]> simulator)
      throws Exception {
    Path dir = Path.of(System.getProperty("streamsbi.sbibm.dir"), task);
    int observations = Integer.getInteger("streamsbi.sbibm.observations", 1);
    double sum = 0;
    for (int obs = 1; obs <= observations; obs++) {
      float[] observation = readCsv(dir.resolve("obs" + obs).resolve("observation.csv"))[0];
      float[][] reference =
          readCsv(dir.resolve("obs" + obs).resolve("reference_posterior_samples.csv"));
      SplittableRandom rng = new SplittableRandom(obs);
      ReplayBuffer buffer =
          new ReplayBuffer(
              new ReplayBufferConfig(SIMULATIONS, 1, 0.1), prior.dimension(), observation.length);
      for (int i = 0; i < SIMULATIONS; i++) {
        float[] theta = prior.sample(rng);
        String id = task + obs + "-" + i;
        buffer.insert(new Sample(id, "run", 1, id, obs, theta, simulator.apply(theta, rng), "w", 0));
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
            task, obs, c2st, result.steps(), trainSeconds, 1e3 * trainSeconds / result.steps(),
            result.validationLoss(), samples.acceptanceRate(),
            (System.nanoTime() - started) / 1e9);
        sum += c2st;
      }
    }
    return sum / observations;
  }

  private static float[][] readCsv(Path file) throws IOException {
    List<String> lines = Files.readAllLines(file);
    float[][] rows = new float[lines.size() - 1][];
    for (int r = 1; r < lines.size(); r++) {
      String[] cells = lines.get(r).split(",");
      rows[r - 1] = new float[cells.length];
      for (int c = 0; c < cells.length; c++) {
        rows[r - 1][c] = Float.parseFloat(cells[c]);
      }
    }
    return rows;
  }
}

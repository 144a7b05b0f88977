package org.streamsbi.trainer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.streamsbi.buffer.ReplayBuffer;
import org.streamsbi.core.prior.MultivariateNormal;
import org.streamsbi.core.prior.Prior;

class WarmStartTest {
  private static final LinearGaussian TRUTH = LinearGaussian.correlated2d();
  private static final Prior PRIOR = MultivariateNormal.isotropic(new double[2], 100);
  private static final TrainerConfig CONFIG = new TrainerConfig(128, 1e-3, 50, 5.0, 1);

  @Test
  void aTrainerStartingFromAPosteriorContinuesItsTraining() throws Exception {
    ReplayBuffer buffer = TRUTH.buffer(2_000, 3);
    NpeTrainer first = new NpeTrainer(FlowConfig.defaults(), CONFIG);
    assertTrue(first.bestSoFar().isEmpty(), "nothing before the first validation");
    List<Optional<Posterior>> live = new CopyOnWriteArrayList<>();
    List<TrainingProgress> firstProgress = new CopyOnWriteArrayList<>();
    TrainingResult result =
        first.train(
            buffer,
            PRIOR,
            StoppingRule.maxSteps(300),
            p -> {
              firstProgress.add(p);
              live.add(first.bestSoFar());
            });
    try (Posterior trained = result.posterior()) {
      Posterior snapshot = live.get(live.size() - 1).orElseThrow();
      float[][] theta = rows(buffer);
      float[] x = TRUTH.x(new SplittableRandom(4));
      assertArrayEquals(
          trained.logProb(theta, x), snapshot.logProb(theta, x), 1e-6,
          "the last best-so-far copy holds the parameters training ended with");
      snapshot.close();
      live.forEach(p -> p.ifPresent(Posterior::close));

      List<TrainingProgress> fresh = new CopyOnWriteArrayList<>();
      new NpeTrainer(FlowConfig.defaults(), CONFIG.withSeed(2))
          .train(buffer, PRIOR, StoppingRule.maxSteps(50), fresh::add)
          .posterior()
          .close();
      List<TrainingProgress> continued = new CopyOnWriteArrayList<>();
      new NpeTrainer(FlowConfig.defaults(), CONFIG.withSeed(2))
          .startingFrom(trained)
          .train(buffer, PRIOR, StoppingRule.maxSteps(50), continued::add)
          .posterior()
          .close();
      // A fresh flow after 50 steps is about where the first run was after 50; a continued one
      // is about where the first run ended.
      double firstAt50 = firstProgress.get(0).validationLoss();
      double halfway = (firstAt50 + result.validationLoss()) / 2;
      assertTrue(
          continued.get(0).validationLoss() < halfway && fresh.get(0).validationLoss() > halfway,
          "continued at " + continued.get(0).validationLoss() + ", a fresh flow at "
              + fresh.get(0).validationLoss() + "; the first run went from " + firstAt50 + " to "
              + result.validationLoss());
      assertThrows(
          IllegalArgumentException.class,
          () -> new NpeTrainer(FlowConfig.defaults(Estimator.NSF), CONFIG).startingFrom(trained));
    }
  }

  private static float[][] rows(ReplayBuffer buffer) {
    float[] flat = buffer.validationSet().theta();
    float[][] out = new float[flat.length / 2][];
    for (int r = 0; r < out.length; r++) {
      out[r] = new float[] {flat[2 * r], flat[2 * r + 1]};
    }
    return out;
  }
}

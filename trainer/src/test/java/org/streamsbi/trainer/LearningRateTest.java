package org.streamsbi.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.streamsbi.buffer.ReplayBuffer;
import org.streamsbi.buffer.ReplayBufferConfig;
import org.streamsbi.buffer.SampleToInsertRatio;
import org.streamsbi.core.Sample;
import org.streamsbi.core.prior.MultivariateNormal;

/** Learning-rate schedules, and the rates and waiting time a training reports. */
class LearningRateTest {

  @Test
  void parsesTheCliFormsAndNamesTheFieldWhenItCannot() {
    assertEquals(LearningRateSchedule.constant(), LearningRateSchedule.parse("constant"));
    assertEquals(
        new LearningRateSchedule.WarmUpCosine(100, 3000, 0.0),
        LearningRateSchedule.parse("cosine:100:3000"));
    assertEquals(
        new LearningRateSchedule.ReduceOnPlateau(0.5, 5, 0.1),
        LearningRateSchedule.parse("plateau:0.5:5:0.1"));
    for (String bad : List.of("wavy", "cosine:100", "cosine:a:b", "plateau:2:5", "cosine:-1:10")) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> LearningRateSchedule.parse(bad));
      assertTrue(e.getMessage().contains("trainer.learningRateSchedule"), e.getMessage());
    }
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> TrainerConfig.defaults().withLearningRateSchedule(null));
    assertTrue(e.getMessage().contains("trainer.learningRateSchedule"), e.getMessage());
  }

  @Test
  void warmsUpThenDecaysAlongACosine() {
    LearningRate rate = new LearningRate(1e-3, new LearningRateSchedule.WarmUpCosine(10, 100, 0.1));
    assertTrue(rate.getNewValue(1) < 2e-4, "warm-up starts low: " + rate.getNewValue(1));
    assertTrue(rate.getNewValue(5) < rate.getNewValue(9));
    assertEquals(1e-3, rate.getNewValue(10), 1e-9);
    assertEquals(0.55e-3, rate.getNewValue(60), 1e-6, "halfway down the cosine");
    assertEquals(1e-4, rate.getNewValue(110), 1e-9);
    assertEquals(1e-4, rate.getNewValue(10_000), 1e-9);
    assertEquals(5e-4, new LearningRate(5e-4, LearningRateSchedule.constant()).getNewValue(10_000), 1e-9);
  }

  @Test
  void theDecayHoldsAfterTheWarmUpWhileSamplesAreStillArriving() {
    LearningRate rate = new LearningRate(1e-3, new LearningRateSchedule.WarmUpCosine(10, 100, 0.1));
    for (int update = 1; update <= 1_000; update++) {
      rate.beforeUpdate(update, true);
      if (update <= 10) {
        assertTrue(rate.getNewValue(update) <= 1e-3 + 1e-9, "the warm-up runs: " + update);
      } else {
        assertEquals(1e-3, rate.getNewValue(update), 1e-9, "held at the peak: " + update);
      }
    }
    assertEquals(990, rate.held());
    // The samples are in: the decay starts from its beginning.
    rate.beforeUpdate(1_050, false);
    assertEquals(0.55e-3, rate.getNewValue(1_050), 1e-6, "halfway down the cosine");
    rate.beforeUpdate(1_100, false);
    assertEquals(1e-4, rate.getNewValue(1_100), 1e-9);
  }

  @Test
  void aPlateauDoesNotLowerTheRateWhileSamplesAreStillArriving() {
    LearningRate rate = new LearningRate(1e-3, new LearningRateSchedule.ReduceOnPlateau(0.5, 2, 0.2));
    rate.validated(2, true);
    rate.validated(4, true);
    assertEquals(1e-3, rate.getNewValue(9), 1e-9);
    rate.validated(6, false);
    assertEquals(5e-4, rate.getNewValue(10), 1e-9);
  }

  @Test
  void reducesOnEveryPlateauDownToItsFloor() {
    LearningRate rate = new LearningRate(1e-3, new LearningRateSchedule.ReduceOnPlateau(0.5, 2, 0.2));
    rate.validated(1, false);
    assertEquals(1e-3, rate.getNewValue(7), 1e-9);
    rate.validated(2, false);
    assertEquals(5e-4, rate.getNewValue(8), 1e-9);
    rate.validated(0, false);
    rate.validated(2, false);
    assertEquals(2.5e-4, rate.getNewValue(9), 1e-9);
    rate.validated(4, false);
    assertEquals(2e-4, rate.getNewValue(10), 1e-9, "the floor");
  }

  @Test
  void progressReportsTheRateAndTheTimeSpentWaitingForData() throws Exception {
    LinearGaussian truth = LinearGaussian.correlated2d();
    // Each insert allows 2 rows to be drawn: the trainer outruns a slow simulator and waits.
    ReplayBuffer buffer =
        new ReplayBuffer(
            new ReplayBufferConfig(10_000, 200, 0.1).withRatio(new SampleToInsertRatio(2, 64)),
            2,
            2);
    Thread simulator =
        new Thread(
            () -> {
              SplittableRandom rng = new SplittableRandom(1);
              try {
                for (int i = 0; i < 10_000; i++) {
                  float[] x = truth.x(rng);
                  buffer.insert(new Sample("s" + i, "run", 1, "s" + i, 1, truth.theta(x, rng), x, "w", 0));
                  if (i >= 200) {
                    Thread.sleep(1);
                  }
                }
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            });
    simulator.setDaemon(true);
    simulator.start();
    List<TrainingProgress> progress = new CopyOnWriteArrayList<>();
    TrainerConfig config =
        new TrainerConfig(64, 1e-3, 20, 5.0, 1)
            .withLearningRateSchedule(new LearningRateSchedule.WarmUpCosine(0, 40, 0.5));
    new NpeTrainer(FlowConfig.defaults(), config)
        .train(buffer, MultivariateNormal.isotropic(new double[2], 100), StoppingRule.maxSteps(60), progress::add)
        .posterior()
        .close();
    simulator.interrupt();
    TrainingProgress last = progress.get(progress.size() - 1);
    // The buffer's inserts never finished: the decay waits for the samples.
    assertEquals(1e-3, last.learningRate(), 1e-9, "held at the start of the cosine");
    assertEquals(last.stepsPerSecond() * 64, last.samplesPerSecond(), 1e-6 * last.samplesPerSecond());
    assertTrue(last.watermarkSeconds() >= 0);
    // 32 inserts a step at one a millisecond or slower: at least 32 ms a step waiting.
    assertTrue(
        last.waitingSeconds() > 0.5 * last.trainingSeconds(),
        "waited " + last.waitingSeconds() + " s of " + last.trainingSeconds() + " s");
  }
}

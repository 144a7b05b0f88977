package org.streamsbi.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.streamsbi.buffer.ReplayBuffer;
import org.streamsbi.buffer.SampleToInsertRatio;
import org.streamsbi.core.Sample;
import org.streamsbi.trainer.LearningRateSchedule;
import org.streamsbi.trainer.TrainerConfig;

class RunConfigTest {

  /**
   * Under a cosine decay the limit lets a trainer that keeps up with the arrivals take the decay
   * while the budget trickles in, so that little of it is left after the last sample.
   */
  @Test
  void underACosineDecayTheLimitIsTheDecaysRowsPerTrainingSample() {
    TrainerConfig cosine =
        new TrainerConfig(256, 2e-3, 0, 5.0, 0)
            .withLearningRateSchedule(new LearningRateSchedule.WarmUpCosine(100, 6_000, 0.01));
    RunConfig.Builder run = RunConfig.custom("limit", 10_000).brokerDirectory(Path.of("unused")).trainer(cosine);
    // 6,000 steps of 256 rows over the 9,000 training samples of the budget.
    assertEquals(new SampleToInsertRatio(6_000 * 256 / 9_000.0, 6_000 * 256 / 9_000.0), run.build().buffer().ratio());
    assertEquals(6_000, run.validationFraction(0.2).build().buffer().ratio().samplesPerInsert() * 8_000 / 256, 1e-9,
        "the training split is what the decay's rows are spread over");
    assertEquals(new SampleToInsertRatio(8, 16), run.samplesPerInsert(new SampleToInsertRatio(8, 16)).build().buffer().ratio());
    assertEquals(1, RunConfig.custom("limit", 10_000_000).brokerDirectory(Path.of("unused")).trainer(cosine)
        .build().buffer().ratio().samplesPerInsert(), "at least one draw per sample");
    assertEquals(RunConfig.DEFAULT_SAMPLES_PER_INSERT,
        RunConfig.custom("limit", 10_000).brokerDirectory(Path.of("unused")).build().buffer().ratio(),
        "a constant rate has no decay to size the limit by");
  }

  /**
   * Unlimited, a trainer fed by a slow simulator took tens of thousands of steps on the first few
   * hundred samples: by default it may draw a bounded number of rows per sample while the budget
   * is still arriving.
   */
  @Test
  void byDefaultATrainerOnASmallBufferWaitsForTheBudgetToArrive() throws Exception {
    RunConfig config = RunConfig.custom("limit", 10_000).brokerDirectory(Path.of("unused")).build();
    try (ReplayBuffer buffer = new ReplayBuffer(config.buffer(), 1, 1)) {
      SplittableRandom rng = new SplittableRandom(0);
      for (int i = 0; buffer.trainingSize() < config.watermark(); i++) {
        String id = "s" + i;
        buffer.insert(new Sample(id, "limit", 1, id, i, new float[] {(float) rng.nextGaussian()},
            new float[] {(float) rng.nextGaussian()}, "w", 0));
      }
      int batch = config.trainer().batchSize();
      CountDownLatch epochs = new CountDownLatch(1);
      Thread trainer = new Thread(() -> {
        // A hundred epochs of the watermark's samples.
        for (long rows = 0; rows < 100L * config.watermark(); rows += batch) {
          buffer.sample(batch, rng);
        }
        epochs.countDown();
      });
      trainer.setDaemon(true);
      trainer.start();
      assertFalse(epochs.await(500, TimeUnit.MILLISECONDS),
          "a hundred epochs of " + config.watermark() + " samples while 10,000 are coming");
      buffer.finishInserts();
      assertTrue(epochs.await(30, TimeUnit.SECONDS), "all arrived: the limit lifts");
    }
  }
}

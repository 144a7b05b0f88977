package org.streamsbi.controller;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.streamsbi.buffer.ReplayBuffer;
import org.streamsbi.core.Sample;

class RunConfigTest {

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

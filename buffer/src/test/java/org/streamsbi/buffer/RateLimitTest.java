package org.streamsbi.buffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RateLimitTest {

  private static ReplayBuffer limited(double samplesPerInsert, double errorBuffer) {
    return new ReplayBuffer(
        new ReplayBufferConfig(10_000, 1, 0.01)
            .withRatio(new SampleToInsertRatio(samplesPerInsert, errorBuffer)),
        1, 2);
  }

  private static int fill(ReplayBuffer buffer, int from, int trainingSamples) {
    int i = from;
    int target = buffer.trainingSize() + trainingSamples;
    while (buffer.trainingSize() < target) {
      buffer.insert(ReplayBufferTest.sample("l" + i, i, i));
      i++;
    }
    return i;
  }

  private static Thread drawInBackground(ReplayBuffer buffer, int rows, CountDownLatch done) {
    Thread t = new Thread(() -> {
      buffer.sample(rows, new SplittableRandom(1));
      done.countDown();
    });
    t.setDaemon(true);
    t.start();
    return t;
  }

  @Test
  void blocksTheTrainerBeyondTheRatioAndReleasesOnInsert() throws Exception {
    try (ReplayBuffer buffer = limited(2, 10)) {
      int next = fill(buffer, 0, 50);
      // 50 inserts × 2 + 10 allows 110 rows.
      buffer.sample(100, new SplittableRandom(0));
      CountDownLatch done = new CountDownLatch(1);
      Thread drawer = drawInBackground(buffer, 20, done);
      assertFalse(done.await(200, TimeUnit.MILLISECONDS), "drew 120 rows where 110 are allowed");
      fill(buffer, next, 5);
      assertTrue(done.await(10, TimeUnit.SECONDS), "more inserts must release the trainer");
      drawer.join();
    }
  }

  @Test
  void finishingInsertsReleasesABlockedTrainer() throws Exception {
    try (ReplayBuffer buffer = limited(1, 5)) {
      fill(buffer, 0, 20);
      buffer.sample(25, new SplittableRandom(0));
      CountDownLatch done = new CountDownLatch(1);
      drawInBackground(buffer, 10, done);
      assertFalse(done.await(200, TimeUnit.MILLISECONDS));
      buffer.finishInserts();
      assertTrue(done.await(10, TimeUnit.SECONDS), "the end of inserts must lift the limit");
    }
  }

  @Test
  void expectingInsertsAgainLimitsTheNextRoundFromWhereItStarts() throws Exception {
    try (ReplayBuffer buffer = limited(2, 10)) {
      int next = fill(buffer, 0, 20);
      buffer.finishInserts();
      assertTrue(buffer.insertsFinished());
      // The lifted limit let the trainer draw far more than 20 inserts × 2 allow.
      buffer.sample(500, new SplittableRandom(0));
      buffer.expectInserts();
      assertFalse(buffer.insertsFinished());
      // The 500 rows are forgiven: the error buffer's 10 rows may be drawn at once, no more.
      buffer.sample(10, new SplittableRandom(1));
      CountDownLatch done = new CountDownLatch(1);
      drawInBackground(buffer, 10, done);
      assertFalse(done.await(200, TimeUnit.MILLISECONDS), "the limit applies again");
      fill(buffer, next, 5);
      assertTrue(done.await(10, TimeUnit.SECONDS), "the next round's inserts release the trainer");
    }
  }

  @Test
  void reportsWhenTrainingLagsBehindSimulation() {
    try (ReplayBuffer buffer = limited(1, 10)) {
      fill(buffer, 0, 5);
      assertFalse(buffer.trainingLags());
      fill(buffer, 5, 20);
      assertTrue(buffer.trainingLags(), "25 inserts, 0 draws, ratio 1 and error buffer 10");
      buffer.sample(20, new SplittableRandom(0));
      assertFalse(buffer.trainingLags());
    }
  }

  @Test
  void refusesConfigurationsThatWouldDeadlock() {
    IllegalArgumentException consumeOnce =
        assertThrows(
            IllegalArgumentException.class,
            () -> new ReplayBufferConfig(100, 10, 0.1)
                .withSelector(SelectorType.FIFO)
                .withRatio(new SampleToInsertRatio(0.5, 10)));
    assertTrue(consumeOnce.getMessage().contains("buffer.samplesPerInsert"), consumeOnce.getMessage());
    assertTrue(consumeOnce.getMessage().contains("inserts wait for room"), consumeOnce.getMessage());

    IllegalArgumentException ignored =
        assertThrows(
            IllegalArgumentException.class,
            () -> new ReplayBufferConfig(100, 10, 0.1)
                .withSelector(SelectorType.RESERVOIR)
                .withEviction(Eviction.MOST_SEEN));
    assertTrue(ignored.getMessage().contains("buffer.eviction"), ignored.getMessage());

    IllegalArgumentException window =
        assertThrows(IllegalArgumentException.class, () -> new SampleToInsertRatio(4, 2));
    assertTrue(window.getMessage().contains("buffer.errorBuffer"), window.getMessage());

    IllegalArgumentException watermark =
        assertThrows(IllegalArgumentException.class, () -> new ReplayBufferConfig(100, 101, 0.1));
    assertTrue(watermark.getMessage().contains("buffer.watermark"), watermark.getMessage());

    try (ReplayBuffer fifo =
        new ReplayBuffer(new ReplayBufferConfig(100, 10, 0.1).withSelector(SelectorType.FIFO), 1, 2)) {
      IllegalArgumentException batch =
          assertThrows(IllegalArgumentException.class, () -> fifo.sample(256, new SplittableRandom(0)));
      assertTrue(batch.getMessage().contains("buffer.capacity"), batch.getMessage());
    }
  }

  @Test
  void unlimitedRatioNeverBlocksNorLags() {
    try (ReplayBuffer buffer = new ReplayBuffer(new ReplayBufferConfig(100, 1, 0.1), 1, 2)) {
      fill(buffer, 0, 3);
      assertEquals(10_000, buffer.sample(10_000, new SplittableRandom(0)).size());
      assertFalse(buffer.trainingLags());
    }
  }
}

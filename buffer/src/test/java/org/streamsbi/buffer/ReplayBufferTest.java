package org.streamsbi.buffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.streamsbi.core.Sample;

class ReplayBufferTest {

  static Sample sample(String id, float theta, float x) {
    return new Sample(id, "run", 1, id, 0, new float[] {theta}, new float[] {x, -x}, "w", 0);
  }

  @Test
  void dropsDuplicatesAndSetsAsideNonFiniteSamples() {
    ReplayBuffer buffer = new ReplayBuffer(new ReplayBufferConfig(100, 1, 0.1), 1, 2);
    assertTrue(buffer.insert(sample("a", 1, 2)) != InsertOutcome.DUPLICATE);
    assertEquals(InsertOutcome.DUPLICATE, buffer.insert(sample("a", 1, 2)));
    assertEquals(InsertOutcome.NON_FINITE, buffer.insert(sample("b", Float.NaN, 2)));
    assertEquals(InsertOutcome.NON_FINITE, buffer.insert(sample("c", 1, Float.NEGATIVE_INFINITY)));
    assertEquals(InsertOutcome.DUPLICATE, buffer.insert(sample("c", 1, Float.NEGATIVE_INFINITY)));
    Sample wide = new Sample("d", "run", 1, "d", 0, new float[] {1, 2}, new float[] {1, 2}, "w", 0);
    assertEquals(InsertOutcome.WRONG_DIMENSION, buffer.insert(wide));
    assertEquals(2, buffer.duplicates());
    assertEquals(2, buffer.nonFinite());
    assertEquals(1, buffer.wrongDimension());
    assertEquals(4, buffer.distinctSamples());
    assertEquals(1, buffer.trainingSize() + buffer.validationSize());
  }

  @Test
  void validationSplitIsDeterministicAndNearTheFraction() {
    ReplayBuffer first = new ReplayBuffer(new ReplayBufferConfig(100_000, 1, 0.1), 1, 2);
    ReplayBuffer second = new ReplayBuffer(new ReplayBufferConfig(100_000, 1, 0.1), 1, 2);
    int n = 20_000;
    for (int i = 0; i < n; i++) {
      InsertOutcome a = first.insert(sample("r1-" + i, i, i));
      assertEquals(a, second.insert(sample("r1-" + i, -i, 0)));
    }
    assertEquals(0.1, first.validationSize() / (double) n, 0.01);
    Set<Float> validationThetas = new HashSet<>();
    Minibatch validation = first.validationSet();
    for (int i = 0; i < validation.size(); i++) {
      validationThetas.add(validation.theta()[i]);
    }
    SplittableRandom rng = new SplittableRandom(3);
    Minibatch batch = first.sample(5_000, rng);
    for (int i = 0; i < batch.size(); i++) {
      assertFalse(validationThetas.contains(batch.theta()[i]), "a validation row was drawn for training");
    }
  }

  @Test
  void drawsUniformlyFromTrainingRows() {
    ReplayBuffer buffer = new ReplayBuffer(new ReplayBufferConfig(1000, 1, 0.1), 1, 2);
    for (int i = 0; i < 1000; i++) {
      buffer.insert(sample("u" + i, i, 2 * i));
    }
    int rows = buffer.trainingSize();
    Minibatch batch = buffer.sample(200_000, new SplittableRandom(5));
    double mean = 0;
    for (int i = 0; i < batch.size(); i++) {
      assertEquals(2 * batch.theta()[i], batch.x()[2 * i], "θ and x of a row must stay together");
      mean += batch.theta()[i] / batch.size();
    }
    double expected = 0;
    Minibatch all = buffer.trainingSet();
    for (int i = 0; i < rows; i++) {
      expected += all.theta()[i] / rows;
    }
    assertEquals(expected, mean, 3.0);
  }

  @Test
  void evictsTheOldestWhenFull() {
    ReplayBuffer buffer = new ReplayBuffer(new ReplayBufferConfig(10, 1, 0.1), 1, 2);
    for (int i = 0; i < 500; i++) {
      buffer.insert(sample("e" + i, i, i));
    }
    assertEquals(10, buffer.trainingSize());
    Minibatch all = buffer.trainingSet();
    for (int i = 0; i < all.size(); i++) {
      assertTrue(all.theta()[i] >= 400, "old row survived: " + all.theta()[i]);
    }
  }

  @Test
  void watermarkBlocksUntilEnoughTrainingSamples() throws Exception {
    ReplayBuffer buffer = new ReplayBuffer(new ReplayBufferConfig(1000, 50, 0.1), 1, 2);
    assertFalse(buffer.awaitWatermark(50, TimeUnit.MILLISECONDS));
    AtomicBoolean released = new AtomicBoolean();
    CountDownLatch done = new CountDownLatch(1);
    Thread waiter = new Thread(() -> {
      try {
        released.set(buffer.awaitWatermark(30, TimeUnit.SECONDS));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      done.countDown();
    });
    waiter.start();
    int i = 0;
    while (buffer.trainingSize() < 49) {
      buffer.insert(sample("w" + i++, i, i));
    }
    assertFalse(done.await(100, TimeUnit.MILLISECONDS), "released below the watermark");
    while (buffer.trainingSize() < 50) {
      buffer.insert(sample("w" + i++, i, i));
    }
    assertTrue(done.await(10, TimeUnit.SECONDS));
    assertTrue(released.get());
  }

  @Test
  void refusesInconsistentConfiguration() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new ReplayBufferConfig(100, 200, 0.1));
    assertTrue(e.getMessage().contains("buffer.watermark"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new ReplayBufferConfig(100, 10, 0.7));
  }
}

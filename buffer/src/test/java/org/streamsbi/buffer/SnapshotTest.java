package org.streamsbi.buffer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streamsbi.core.Sample;

class SnapshotTest {
  @TempDir Path dir;

  private static List<Sample> batch(int from, int n) {
    List<Sample> out = new ArrayList<>();
    for (int i = from; i < from + n; i++) {
      out.add(new Sample("s" + i, "run", 1 + i % 3, "p" + i, i, new float[] {i, -i}, new float[] {i / 2f}, "w", 0));
    }
    return out;
  }

  private static void assertSameRows(Minibatch expected, Minibatch actual) {
    assertEquals(expected.size(), actual.size());
    assertArrayEquals(expected.theta(), actual.theta());
    assertArrayEquals(expected.x(), actual.x());
    assertArrayEquals(expected.rounds(), actual.rounds());
  }

  @Test
  void restoresIdenticalContentsCountersAndOffsets() throws Exception {
    ReplayBufferConfig config = new ReplayBufferConfig(300, 10, 0.2);
    Path file = dir.resolve("buffer.snapshot");
    try (ReplayBuffer original = new ReplayBuffer(config, 2, 1)) {
      // Wraps the ring, so that slot order and insertion order differ.
      for (int record = 0; record < 10; record++) {
        original.insertAll(batch(record * 50, 50), record % 2, 100 + record);
      }
      original.insert(batch(0, 1).get(0));
      original.insert(new Sample("nan", "run", 1, "nan", 0, new float[] {Float.NaN, 0}, new float[] {0}, "w", 0));
      original.skipped(3, 7);
      original.sample(500, new SplittableRandom(1));
      original.snapshot(file);

      try (ReplayBuffer restored = ReplayBuffer.restore(file, config, 2, 1)) {
        assertSameRows(original.trainingSet(), restored.trainingSet());
        assertSameRows(original.validationSet(), restored.validationSet());
        assertEquals(original.offsets(), restored.offsets());
        assertEquals(java.util.Map.of(0, 108L, 1, 109L, 3, 7L), restored.offsets());
        assertEquals(original.distinctSamples(), restored.distinctSamples());
        assertEquals(original.duplicates(), restored.duplicates());
        assertEquals(original.nonFinite(), restored.nonFinite());
        assertEquals(original.evicted(), restored.evicted());
        assertArrayEquals(original.metrics().timesSeen(), restored.metrics().timesSeen());

        // Redelivery of anything the snapshot covers is still a duplicate; new samples go on.
        assertEquals(InsertOutcome.DUPLICATE, restored.insert(batch(42, 1).get(0)));
        assertEquals(InsertOutcome.DUPLICATE, restored.insert(batch(499, 1).get(0)));
        InsertOutcome fresh = restored.insert(batch(500, 1).get(0));
        assertTrue(fresh == InsertOutcome.TRAINING || fresh == InsertOutcome.VALIDATION, fresh.toString());
      }
    }
    assertTrue(Files.exists(file));
    assertTrue(Files.notExists(dir.resolve("buffer.snapshot.partial")));
  }

  @Test
  void restoresAFifoBufferInItsOrder() throws Exception {
    ReplayBufferConfig config = new ReplayBufferConfig(100, 1, 0.1).withSelector(SelectorType.FIFO);
    Path file = dir.resolve("fifo.snapshot");
    try (ReplayBuffer original = new ReplayBuffer(config, 2, 1)) {
      original.insertAll(batch(0, 80), 0, 1);
      original.sample(30, new SplittableRandom(0));
      original.snapshot(file);
      try (ReplayBuffer restored = ReplayBuffer.restore(file, config, 2, 1)) {
        assertSameRows(original.sample(20, new SplittableRandom(0)), restored.sample(20, new SplittableRandom(0)));
      }
    }
  }

  @Test
  void refusesASnapshotThatDoesNotFit() throws Exception {
    Path file = dir.resolve("big.snapshot");
    try (ReplayBuffer original = new ReplayBuffer(new ReplayBufferConfig(1000, 1, 0.1), 2, 1)) {
      original.insertAll(batch(0, 500), 0, 1);
      original.snapshot(file);
    }
    IllegalArgumentException small =
        assertThrows(
            IllegalArgumentException.class,
            () -> ReplayBuffer.restore(file, new ReplayBufferConfig(100, 1, 0.1), 2, 1));
    assertTrue(small.getMessage().contains("buffer.capacity"), small.getMessage());
    IllegalArgumentException wide =
        assertThrows(
            IllegalArgumentException.class,
            () -> ReplayBuffer.restore(file, new ReplayBufferConfig(1000, 1, 0.1), 3, 1));
    assertTrue(wide.getMessage().contains("θ of 2"), wide.getMessage());
  }
}

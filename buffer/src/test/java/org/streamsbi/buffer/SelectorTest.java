package org.streamsbi.buffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SelectorTest {

  private static ReplayBuffer buffer(int capacity, SelectorType selector) {
    return new ReplayBuffer(new ReplayBufferConfig(capacity, 1, 0.01).withSelector(selector), 1, 2);
  }

  @Test
  void fifoDrawsInInsertionOrderAndEachSampleOnce() {
    try (ReplayBuffer buffer = buffer(1000, SelectorType.FIFO)) {
      for (int i = 0; i < 500; i++) {
        buffer.insert(ReplayBufferTest.sample("f" + i, i, i));
      }
      int held = buffer.trainingSize();
      float previous = -1;
      int drawn = 0;
      buffer.finishInserts();
      while (buffer.trainingSize() > 0) {
        Minibatch batch = buffer.sample(64, new SplittableRandom(1));
        for (int i = 0; i < batch.size(); i++) {
          assertTrue(batch.theta()[i] > previous, "out of order: " + batch.theta()[i] + " after " + previous);
          previous = batch.theta()[i];
        }
        drawn += batch.size();
      }
      assertEquals(held, drawn);
      assertThrows(IllegalStateException.class, () -> buffer.sample(1, new SplittableRandom(1)));
    }
  }

  @Test
  void firoDrawsEverySampleOnceInRandomOrder() {
    try (ReplayBuffer buffer = buffer(1000, SelectorType.FIRO)) {
      for (int i = 0; i < 600; i++) {
        buffer.insert(ReplayBufferTest.sample("r" + i, i, i));
      }
      int held = buffer.trainingSize();
      buffer.finishInserts();
      Set<Float> seen = new HashSet<>();
      int inversions = 0;
      float previous = -1;
      while (buffer.trainingSize() > 0) {
        Minibatch batch = buffer.sample(50, new SplittableRandom(seen.size()));
        for (int i = 0; i < batch.size(); i++) {
          assertTrue(seen.add(batch.theta()[i]), "drawn twice: " + batch.theta()[i]);
          inversions += batch.theta()[i] < previous ? 1 : 0;
          previous = batch.theta()[i];
        }
      }
      assertEquals(held, seen.size());
      assertTrue(inversions > held / 4, "not random-out: only " + inversions + " inversions");
    }
  }

  @Test
  void fullFifoBufferMakesInsertsWaitForDraws() throws Exception {
    try (ReplayBuffer buffer = buffer(10, SelectorType.FIFO)) {
      int i = 0;
      while (buffer.trainingSize() < 10) {
        buffer.insert(ReplayBufferTest.sample("q" + i, i, i));
        i++;
      }
      int next = i;
      Thread inserter = new Thread(() -> buffer.insert(ReplayBufferTest.sample("q-late" + next, 1000, 1)));
      inserter.start();
      inserter.join(200);
      assertTrue(inserter.isAlive(), "an insert into a full FIFO buffer must wait");
      assertEquals(10, buffer.trainingSize());
      buffer.sample(1, new SplittableRandom(0));
      inserter.join(10_000);
      assertTrue(!inserter.isAlive(), "a draw must make room");
    }
  }

  /** Algorithm R keeps each of the n offered samples with probability capacity / n. */
  @Test
  void reservoirKeepsAUniformSampleOfTheStream() {
    int capacity = 1000;
    int offered = 20_000;
    try (ReplayBuffer buffer =
        new ReplayBuffer(
            new ReplayBufferConfig(capacity, 1, 0.01).withSelector(SelectorType.RESERVOIR).withSeed(11), 1, 2)) {
      int training = 0;
      for (int i = 0; i < offered; i++) {
        InsertOutcome outcome = buffer.insert(ReplayBufferTest.sample("v" + i, i, i));
        training += outcome == InsertOutcome.TRAINING || outcome == InsertOutcome.NOT_ADMITTED ? 1 : 0;
      }
      assertEquals(training - capacity, buffer.notAdmitted() + buffer.evicted());
      int bins = 10;
      long[] counts = new long[bins];
      Minibatch all = buffer.trainingSet();
      assertEquals(capacity, all.size());
      for (int i = 0; i < all.size(); i++) {
        counts[(int) (all.theta()[i] * bins / offered)]++;
      }
      double expected = capacity / (double) bins;
      double chiSquare = 0;
      for (long c : counts) {
        chiSquare += (c - expected) * (c - expected) / expected;
      }
      // 99.9th percentile of χ² with 9 degrees of freedom.
      assertTrue(chiSquare < 27.88, "not uniform over the stream: χ² = " + chiSquare);
    }
  }

  @Test
  void oldestEvictionKeepsOnlyTheNewestWhichIsNotUniform() {
    try (ReplayBuffer buffer = buffer(1000, SelectorType.UNIFORM)) {
      for (int i = 0; i < 20_000; i++) {
        buffer.insert(ReplayBufferTest.sample("o" + i, i, i));
      }
      Minibatch all = buffer.trainingSet();
      for (int i = 0; i < all.size(); i++) {
        assertTrue(all.theta()[i] >= 18_000, "an old sample survived: " + all.theta()[i]);
      }
    }
  }

  @Test
  void prioritizedDrawsHighLossSamplesMoreOften() {
    try (ReplayBuffer buffer = buffer(1000, SelectorType.PRIORITIZED)) {
      for (int i = 0; i < 200; i++) {
        buffer.insert(ReplayBufferTest.sample("p" + i, i, i));
      }
      Minibatch all = buffer.trainingSet();
      float[] losses = new float[all.size()];
      for (int i = 0; i < all.size(); i++) {
        // Every tenth sample fits badly.
        losses[i] = ((int) all.theta()[i]) % 10 == 0 ? 8f : -2f;
      }
      buffer.reportLosses(all.keys(), losses);
      Minibatch batch = buffer.sample(20_000, new SplittableRandom(2));
      int bad = 0;
      for (int i = 0; i < batch.size(); i++) {
        bad += ((int) batch.theta()[i]) % 10 == 0 ? 1 : 0;
      }
      double share = bad / (double) batch.size();
      // softplus(8) / (softplus(8) + 9 · softplus(−2)) ≈ 0.86 of the draws, against 0.1 uniformly.
      assertTrue(share > 0.8 && share < 0.92, "share of badly fitted samples drawn: " + share);
    }
  }

  @Test
  void lossesOfReplacedSamplesAreIgnored() {
    try (ReplayBuffer buffer = buffer(10, SelectorType.PRIORITIZED)) {
      for (int i = 0; i < 10; i++) {
        buffer.insert(ReplayBufferTest.sample("z" + i, i, i));
      }
      Minibatch before = buffer.trainingSet();
      for (int i = 10; i < 40; i++) {
        buffer.insert(ReplayBufferTest.sample("z" + i, i, i));
      }
      float[] huge = new float[before.size()];
      java.util.Arrays.fill(huge, 1000f);
      buffer.reportLosses(before.keys(), huge);
      Minibatch batch = buffer.sample(1000, new SplittableRandom(3));
      Set<Float> distinct = new HashSet<>();
      for (float t : batch.theta()) {
        distinct.add(t);
      }
      assertTrue(distinct.size() > 5, "a stale loss skewed the draws: " + distinct);
    }
  }

  @Test
  void mostSeenEvictionRemovesTheMostDrawnSample() {
    try (ReplayBuffer buffer =
        new ReplayBuffer(new ReplayBufferConfig(20, 1, 0.01).withEviction(Eviction.MOST_SEEN), 1, 2)) {
      for (int i = 0; buffer.trainingSize() < 20; i++) {
        buffer.insert(ReplayBufferTest.sample("m" + i, i, i));
      }
      Minibatch batch = buffer.sample(400, new SplittableRandom(4));
      java.util.Map<Float, Integer> draws = new java.util.HashMap<>();
      for (float t : batch.theta()) {
        draws.merge(t, 1, Integer::sum);
      }
      int most = draws.values().stream().max(Integer::compare).orElseThrow();
      float victim =
          draws.entrySet().stream().filter(e -> e.getValue() == most).map(java.util.Map.Entry::getKey)
              .min(Float::compare).orElseThrow();
      Set<Float> before = new HashSet<>();
      for (float t : buffer.trainingSet().theta()) {
        before.add(t);
      }
      buffer.insert(ReplayBufferTest.sample("m-new", 999, 1));
      Set<Float> after = new HashSet<>();
      for (float t : buffer.trainingSet().theta()) {
        after.add(t);
      }
      before.remove(victim);
      before.add(999f);
      assertEquals(before, after, "evicted another sample than the most drawn, " + victim);
      assertEquals(1, buffer.evicted());
    }
  }

  @Test
  void rejectsLossesForOtherSelectors() {
    try (ReplayBuffer buffer = buffer(10, SelectorType.UNIFORM)) {
      IllegalStateException e =
          assertThrows(IllegalStateException.class, () -> buffer.reportLosses(new long[0], new float[0]));
      assertTrue(e.getMessage().contains("PRIORITIZED"), e.getMessage());
    }
  }
}

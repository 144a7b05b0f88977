package org.streamsbi.buffer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class StorageTest {

  /** two_moons: θ of 2 values, x of 2 values. Columns are allocated whole at construction. */
  @Test
  void tenMillionTwoMoonsSamplesFitInUnderOneGibibyteOffHeap() {
    try (ReplayBuffer buffer = new ReplayBuffer(new ReplayBufferConfig(10_000_000, 1, 0.1), 2, 2)) {
      long allocated = buffer.offHeapBytes();
      assertTrue(allocated < 1L << 30, "allocated " + allocated + " bytes");
      assertTrue(allocated > 10_000_000L * 16, "the columns cannot be smaller than θ and x: " + allocated);
      for (int i = 0; i < 100_000; i++) {
        buffer.insert(new org.streamsbi.core.Sample(
            "t" + i, "run", 1, "t" + i, 0, new float[] {i, 1}, new float[] {2, 3}, "w", 0));
      }
      assertEquals(allocated, buffer.offHeapBytes(), "inserts must not allocate");
    }
  }

  @Test
  void metricsReportSizeRatesHistogramAndMoments() {
    try (ReplayBuffer buffer = new ReplayBuffer(new ReplayBufferConfig(1000, 1, 0.1), 1, 2)) {
      for (int i = 0; i < 1000; i++) {
        buffer.insert(ReplayBufferTest.sample("k" + i, i % 2 == 0 ? 1 : 3, 5));
      }
      buffer.sample(3000, new SplittableRandom(0));
      BufferMetrics m = buffer.metrics();
      assertEquals(buffer.trainingSize(), m.trainingSize());
      assertEquals(buffer.validationSize(), m.validationSize());
      assertEquals(buffer.trainingSize(), m.inserts());
      assertEquals(3000, m.draws());
      assertEquals(3000.0 / buffer.trainingSize(), m.drawsPerInsert(), 1e-9);
      assertTrue(m.insertsPerSecond() > 0 && m.drawsPerSecond() > m.insertsPerSecond());
      long held = 0;
      for (int k = 0; k < m.timesSeen().length; k++) {
        held += m.timesSeen()[k];
      }
      assertEquals(buffer.trainingSize(), held);
      assertTrue(m.timesSeen()[0] < held / 5, "after ~3.3 draws per sample few are never drawn");
      assertEquals(2.0, m.thetaMean()[0], 0.1);
      assertEquals(1.0, m.thetaStd()[0], 0.01);
      assertArrayEquals(new double[] {5, -5}, m.xMean(), 1e-9);
      assertArrayEquals(new double[] {0, 0}, m.xStd(), 1e-6);
      BufferMetrics quiet = buffer.metrics();
      assertEquals(0, quiet.drawsPerSecond());
    }
  }
}

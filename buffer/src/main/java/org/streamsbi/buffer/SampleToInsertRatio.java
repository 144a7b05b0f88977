package org.streamsbi.buffer;

/**
 * Reverb's SampleToInsertRatio: draws (rows) may run ahead of {@code samplesPerInsert × inserts}
 * by at most {@code errorBuffer} rows; beyond that the trainer blocks until more samples arrive.
 * When inserts run ahead by more than {@code errorBuffer}, training lags behind simulation.
 *
 * @param samplesPerInsert rows drawn per inserted training sample; +∞ means no limit
 * @param errorBuffer tolerated deviation, in drawn rows
 */
public record SampleToInsertRatio(double samplesPerInsert, double errorBuffer) {

  public SampleToInsertRatio {
    if (!(samplesPerInsert > 0)) {
      throw new IllegalArgumentException(
          "buffer.samplesPerInsert must be positive, got " + samplesPerInsert);
    }
    if (Double.isFinite(samplesPerInsert) && !(errorBuffer >= Math.max(1, samplesPerInsert))) {
      // Reverb's rule: a narrower window than one insert's worth of draws can block both sides.
      throw new IllegalArgumentException(
          "buffer.errorBuffer must be at least max(1, samplesPerInsert) = "
              + Math.max(1, samplesPerInsert) + ", got " + errorBuffer
              + ": a narrower window would block the trainer between any two inserts");
    }
  }

  /** No limit: the trainer may reuse samples as often as it likes. */
  public static SampleToInsertRatio unlimited() {
    return new SampleToInsertRatio(Double.POSITIVE_INFINITY, 0);
  }

  public boolean limits() {
    return Double.isFinite(samplesPerInsert);
  }
}

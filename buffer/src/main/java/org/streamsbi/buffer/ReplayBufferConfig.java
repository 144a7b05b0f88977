package org.streamsbi.buffer;

/**
 * How the replay buffer keeps samples.
 *
 * @param capacity samples kept in each split; the oldest is evicted when full
 * @param watermark training samples required before the trainer may draw
 * @param validationFraction share of samples held out for validation, chosen by sample id
 */
public record ReplayBufferConfig(int capacity, int watermark, double validationFraction) {

  public ReplayBufferConfig {
    if (capacity < 1) {
      throw new IllegalArgumentException("buffer.capacity must be at least 1, got " + capacity);
    }
    if (watermark < 1 || watermark > capacity) {
      throw new IllegalArgumentException(
          "buffer.watermark must be between 1 and buffer.capacity (" + capacity + "), got "
              + watermark);
    }
    if (!(validationFraction > 0 && validationFraction < 0.5)) {
      throw new IllegalArgumentException(
          "buffer.validationFraction must be in (0, 0.5), got " + validationFraction);
    }
  }
}

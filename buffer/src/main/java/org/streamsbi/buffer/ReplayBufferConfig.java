package org.streamsbi.buffer;

import java.util.Objects;

/**
 * How the replay buffer keeps and hands out samples. Refuses, with the field's name, any
 * configuration that is out of range or that would deadlock the trainer.
 *
 * @param capacity training samples held; the validation split gets its own room
 * @param watermark training samples required before the trainer may draw
 * @param validationFraction share of samples held out for validation, chosen by sample id
 * @param selector how draws pick rows
 * @param eviction which sample makes room when full, for selectors that reuse samples
 * @param ratio the samples-per-insert rate limit
 * @param seed seeds the buffer's own choices (reservoir admission, eviction candidates)
 */
public record ReplayBufferConfig(
    int capacity,
    int watermark,
    double validationFraction,
    SelectorType selector,
    Eviction eviction,
    SampleToInsertRatio ratio,
    long seed) {

  /** Rows are addressed by key = insertion sequence << SLOT_BITS | slot. */
  static final int SLOT_BITS = 25;

  public ReplayBufferConfig {
    Objects.requireNonNull(selector, "buffer.selector");
    Objects.requireNonNull(eviction, "buffer.eviction");
    Objects.requireNonNull(ratio, "buffer.ratio");
    if (capacity < 1 || capacity > 1 << SLOT_BITS) {
      throw new IllegalArgumentException(
          "buffer.capacity must be between 1 and " + (1 << SLOT_BITS) + ", got " + capacity);
    }
    if (watermark < 1 || watermark > capacity) {
      throw new IllegalArgumentException(
          "buffer.watermark must be between 1 and buffer.capacity (" + capacity + "), got "
              + watermark + ": the trainer would wait forever");
    }
    if (!(validationFraction > 0 && validationFraction < 0.5)) {
      throw new IllegalArgumentException(
          "buffer.validationFraction must be in (0, 0.5), got " + validationFraction);
    }
    if (eviction != Eviction.OLDEST && (selector.consumesOnce() || selector == SelectorType.RESERVOIR)) {
      throw new IllegalArgumentException(
          "buffer.eviction " + eviction + " does not apply to selector " + selector + ", which "
              + (selector.consumesOnce() ? "never evicts: a full buffer makes inserts wait"
                  : "replaces a random sample by definition") + "; leave it at OLDEST");
    }
    if (selector.consumesOnce() && ratio.limits() && ratio.samplesPerInsert() < 1) {
      throw new IllegalArgumentException(
          "buffer.samplesPerInsert must be at least 1 with selector " + selector + ", got "
              + ratio.samplesPerInsert() + ": each sample is drawn once, so the buffer fills, "
              + "inserts wait for room and the ratio forbids the draws that would make it");
    }
  }

  /** Uniform draws with reuse, oldest evicted first, no rate limit. */
  public ReplayBufferConfig(int capacity, int watermark, double validationFraction) {
    this(capacity, watermark, validationFraction, SelectorType.UNIFORM, Eviction.OLDEST,
        SampleToInsertRatio.unlimited(), 0);
  }

  public ReplayBufferConfig withSelector(SelectorType value) {
    return new ReplayBufferConfig(capacity, watermark, validationFraction, value, eviction, ratio, seed);
  }

  public ReplayBufferConfig withEviction(Eviction value) {
    return new ReplayBufferConfig(capacity, watermark, validationFraction, selector, value, ratio, seed);
  }

  public ReplayBufferConfig withRatio(SampleToInsertRatio value) {
    return new ReplayBufferConfig(capacity, watermark, validationFraction, selector, eviction, value, seed);
  }

  public ReplayBufferConfig withSeed(long value) {
    return new ReplayBufferConfig(capacity, watermark, validationFraction, selector, eviction, ratio, value);
  }

  /** Rows of the validation split: twice its expected share, since the split is random by id. */
  int validationCapacity() {
    return (int) Math.min(capacity, Math.ceil(2 * validationFraction * capacity) + 64);
  }
}

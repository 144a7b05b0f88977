package org.streamsbi.buffer;

/** What the buffer did with an offered sample. */
public enum InsertOutcome {
  /** Kept for training. */
  TRAINING,
  /** Kept for validation, never drawn for training. */
  VALIDATION,
  /** Dropped: a sample with this id was already offered. */
  DUPLICATE,
  /** Refused: θ or x holds NaN or ±∞. The caller sets it aside. */
  NON_FINITE,
  /** Refused: θ or x has another width than the buffer's. */
  WRONG_DIMENSION,
  /** Counted but not kept: the full reservoir drew it out (probability 1 − capacity / offered). */
  NOT_ADMITTED
}

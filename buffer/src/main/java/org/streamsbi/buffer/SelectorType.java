package org.streamsbi.buffer;

/** Which training row a draw returns, in Reverb's sense of a table's sampler. */
public enum SelectorType {
  /** Oldest first; each sample is drawn once and then leaves the buffer. */
  FIFO,
  /** First-in random-out (Melissa): a random held sample, which then leaves the buffer. */
  FIRO,
  /** Uniform over held samples, with reuse. The default, and the only lock-free draw. */
  UNIFORM,
  /**
   * Uniform with reuse over a reservoir (Vitter's algorithm R): once full, the n-th sample is kept
   * with probability capacity / n, so the buffer stays a uniform sample of everything offered.
   */
  RESERVOIR,
  /**
   * Proportional to the trainer's last reported loss on each sample (prioritized replay): the
   * samples the model fits worst are drawn more often. New samples get the highest priority seen.
   */
  PRIORITIZED;

  /** True for selectors whose draws remove the sample, so a full buffer makes inserts wait. */
  boolean consumesOnce() {
    return this == FIFO || this == FIRO;
  }
}

package org.streamsbi.buffer;

/** Which training sample makes room when the buffer is full (selectors that reuse samples). */
public enum Eviction {
  /** The oldest insert. */
  OLDEST,
  /**
   * The most-drawn sample among up to 32 held samples picked at random (all of them when the
   * capacity is at most 32): an exact maximum would need an ordered index updated on every draw.
   */
  MOST_SEEN
}

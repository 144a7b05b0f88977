package org.streamsbi.buffer;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * Lets a thread wait for a condition that another thread makes true, without the signalling side
 * taking a lock unless someone waits: the ingestion thread signals after every insert.
 */
final class Signal {
  private final AtomicInteger waiting = new AtomicInteger();
  private final Object monitor = new Object();

  /** Call after making a condition true; the write before it must be volatile or atomic. */
  void wake() {
    // The waiter increments before it checks, so it either sees the new state or gets woken.
    if (waiting.get() > 0) {
      synchronized (monitor) {
        monitor.notifyAll();
      }
    }
  }

  /** @return false when the timeout passed first */
  boolean await(BooleanSupplier condition, long nanos) throws InterruptedException {
    if (condition.getAsBoolean()) {
      return true;
    }
    long deadline = System.nanoTime() + nanos;
    synchronized (monitor) {
      waiting.incrementAndGet();
      try {
        while (!condition.getAsBoolean()) {
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            return false;
          }
          // Bounded so that a condition made true without a wake (close) is still noticed.
          monitor.wait(Math.max(1, Math.min(100, left / 1_000_000)));
        }
        return true;
      } finally {
        waiting.decrementAndGet();
      }
    }
  }
}

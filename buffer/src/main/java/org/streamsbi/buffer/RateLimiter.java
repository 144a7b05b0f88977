package org.streamsbi.buffer;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Applies a {@link SampleToInsertRatio} between the ingestion thread and the trainer. Only the
 * draw side blocks: making the ingestion wait would stall the Kafka consumer, so when inserts run
 * ahead the buffer reports that training lags instead. Once inserts are declared finished the
 * limit lifts, so the end of a round cannot leave the trainer waiting for samples that never come;
 * when the next round's samples are expected the limit applies again from where it is.
 */
final class RateLimiter {
  private final SampleToInsertRatio ratio;
  private final AtomicLong inserts = new AtomicLong();
  private final AtomicLong draws = new AtomicLong();
  private final Signal signal = new Signal();
  private volatile boolean insertsFinished;

  RateLimiter(SampleToInsertRatio ratio) {
    this.ratio = ratio;
  }

  void inserted(long n) {
    inserts.addAndGet(n);
    signal.wake();
  }

  void finishInserts() {
    insertsFinished = true;
    signal.wake();
  }

  /**
   * Applies the limit again after {@link #finishInserts}. The draws the lifted limit allowed are
   * forgiven: counted against the next round's inserts they would hold the trainer until that
   * round had nearly all arrived.
   */
  void expectInserts() {
    if (ratio.limits()) {
      long allowed = (long) Math.min(Long.MAX_VALUE, inserts.get() * ratio.samplesPerInsert());
      draws.accumulateAndGet(allowed, Math::min);
    }
    insertsFinished = false;
  }

  boolean insertsFinished() {
    return insertsFinished;
  }

  boolean mayDraw(int rows) {
    return !ratio.limits()
        || insertsFinished
        || inserts.get() * ratio.samplesPerInsert() - (draws.get() + rows) >= -ratio.errorBuffer();
  }

  void awaitDraw(int rows) throws InterruptedException {
    signal.await(() -> mayDraw(rows), Long.MAX_VALUE);
  }

  void drew(int rows) {
    draws.addAndGet(rows);
  }

  long inserts() {
    return inserts.get();
  }

  long draws() {
    return draws.get();
  }

  void restore(long insertCount, long drawCount) {
    inserts.set(insertCount);
    draws.set(drawCount);
  }

  /** Rows the trainer could have drawn beyond the error buffer; positive when training lags. */
  double lag() {
    if (!ratio.limits() || insertsFinished) {
      return 0;
    }
    return inserts.get() * ratio.samplesPerInsert() - draws.get() - ratio.errorBuffer();
  }
}

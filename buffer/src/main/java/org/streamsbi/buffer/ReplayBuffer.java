package org.streamsbi.buffer;

import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import org.streamsbi.core.Sample;

/**
 * Keeps simulated samples for a trainer that draws from it while samples still arrive: a
 * deterministic validation split by sample id, a watermark before training may start, and
 * uniform minibatch sampling with replacement.
 */
public final class ReplayBuffer {
  private final ReplayBufferConfig config;
  private final int thetaDimension;
  private final int xDimension;
  private final RowStore training;
  private final RowStore validation;
  private final Set<String> seen = new HashSet<>();
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private final Condition grown = lock.writeLock().newCondition();
  private long duplicates;
  private long nonFinite;
  private long wrongDimension;

  public ReplayBuffer(ReplayBufferConfig config, int thetaDimension, int xDimension) {
    this.config = config;
    this.thetaDimension = thetaDimension;
    this.xDimension = xDimension;
    this.training = new RowStore(config.capacity(), thetaDimension, xDimension);
    // The split is random by id, so a burst can send more than its share to validation: give it
    // the same room as training rather than evict validation rows early.
    this.validation = new RowStore(config.capacity(), thetaDimension, xDimension);
  }

  public ReplayBufferConfig config() {
    return config;
  }

  /**
   * Offers a sample. Every distinct sample id is counted once, whether it is kept or set aside,
   * so that a redelivered sample never counts twice.
   */
  public InsertOutcome insert(Sample sample) {
    lock.writeLock().lock();
    try {
      if (!seen.add(sample.sampleId())) {
        duplicates++;
        return InsertOutcome.DUPLICATE;
      }
      if (sample.theta().length != thetaDimension || sample.x().length != xDimension) {
        wrongDimension++;
        return InsertOutcome.WRONG_DIMENSION;
      }
      if (!sample.isFinite()) {
        nonFinite++;
        return InsertOutcome.NON_FINITE;
      }
      if (isValidation(sample.sampleId())) {
        validation.add(sample.theta(), sample.x());
        return InsertOutcome.VALIDATION;
      }
      training.add(sample.theta(), sample.x());
      grown.signalAll();
      return InsertOutcome.TRAINING;
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** Same id, same side of the split, on every machine and in every run. */
  private boolean isValidation(String sampleId) {
    long h = sampleId.hashCode() * 0x9E3779B97F4A7C15L;
    h ^= h >>> 29;
    double u = (h >>> 11) * 0x1.0p-53;
    return u < config.validationFraction();
  }

  /**
   * Blocks until the training split holds at least the watermark.
   *
   * @return false when the timeout passed first
   */
  public boolean awaitWatermark(long timeout, TimeUnit unit) throws InterruptedException {
    long nanos = unit.toNanos(timeout);
    lock.writeLock().lock();
    try {
      while (training.size() < config.watermark()) {
        if (nanos <= 0) {
          return false;
        }
        nanos = grown.awaitNanos(nanos);
      }
      return true;
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** {@code n} training rows drawn uniformly with replacement. */
  public Minibatch sample(int n, RandomGenerator rng) {
    float[] theta = new float[n * thetaDimension];
    float[] x = new float[n * xDimension];
    lock.readLock().lock();
    try {
      int size = training.size();
      if (size == 0) {
        throw new IllegalStateException("the buffer holds no training samples yet");
      }
      for (int i = 0; i < n; i++) {
        training.copyRow(rng.nextInt(size), theta, x, i);
      }
    } finally {
      lock.readLock().unlock();
    }
    return new Minibatch(n, thetaDimension, xDimension, theta, x);
  }

  /** A copy of every training row. */
  public Minibatch trainingSet() {
    return underReadLock(() -> training.all());
  }

  /** A copy of every validation row. */
  public Minibatch validationSet() {
    return underReadLock(() -> validation.all());
  }

  public int trainingSize() {
    return underReadLock(() -> training.size());
  }

  public int validationSize() {
    return underReadLock(() -> validation.size());
  }

  /** Samples dropped because their id was already kept. */
  public long duplicates() {
    return underReadLock(() -> duplicates);
  }

  /** Samples refused because they held NaN or ±∞. */
  public long nonFinite() {
    return underReadLock(() -> nonFinite);
  }

  /** Samples refused because θ or x had another width than the buffer's. */
  public long wrongDimension() {
    return underReadLock(() -> wrongDimension);
  }

  /** Distinct sample ids offered so far, kept or set aside. */
  public int distinctSamples() {
    return underReadLock(() -> seen.size());
  }

  private <T> T underReadLock(Supplier<T> read) {
    lock.readLock().lock();
    try {
      return read.get();
    } finally {
      lock.readLock().unlock();
    }
  }

  public int thetaDimension() {
    return thetaDimension;
  }

  public int xDimension() {
    return xDimension;
  }
}

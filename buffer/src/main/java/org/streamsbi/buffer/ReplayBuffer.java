package org.streamsbi.buffer;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.StampedLock;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.streamsbi.core.Sample;

/**
 * Keeps simulated samples, off the Java heap in Arrow columns, for a trainer that draws from it
 * while samples still arrive: deduplication by sample id, a deterministic validation split by
 * sample id, a watermark, a selector, an eviction policy and a samples-per-insert rate limiter.
 *
 * <p>One thread inserts (the ingestion thread) while others draw. Uniform draws take no lock:
 * they copy rows optimistically and retry if an insert overlapped. Draws by the other selectors
 * change the selector's state and serialise with inserts.
 */
public final class ReplayBuffer implements AutoCloseable {
  private static final long SLOT_MASK = (1L << ReplayBufferConfig.SLOT_BITS) - 1;
  private static final int SNAPSHOT_MAGIC = 0x53534252; // "SSBR"
  private static final int SNAPSHOT_VERSION = 1;
  private static final int MOST_SEEN_CANDIDATES = 32;
  private static final int INSERTS_PER_LOCK = 64;

  private final ReplayBufferConfig config;
  private final int thetaDimension;
  private final int xDimension;
  private final BufferAllocator allocator = new RootAllocator();
  private final ColumnStore training;
  private final ColumnStore validation;
  private final Selector selector;
  private final boolean consumesOnce;
  private final RateLimiter limiter;
  private final StampedLock lock = new StampedLock();
  private final Signal grown = new Signal();
  private final Signal room = new Signal();
  private final LongHashSet offered = new LongHashSet();
  private final SplittableRandom random;
  private final Map<Integer, Long> offsets = new TreeMap<>();
  private final int[] freeSlots;
  private volatile int trainingSize;
  private volatile int validationSize;
  private volatile long validationInserts;
  private int trainingHighWater;
  private int oldestSlot;
  private int validationNext;
  private long sequence;
  private long trainingOffered;
  private long duplicates;
  private long nonFinite;
  private long wrongDimension;
  private long evicted;
  private long notAdmitted;
  private long windowStart = System.nanoTime();
  private long windowInserts;
  private long windowDraws;

  public ReplayBuffer(ReplayBufferConfig config, int thetaDimension, int xDimension) {
    if (thetaDimension < 1 || xDimension < 1) {
      throw new IllegalArgumentException(
          "buffer θ and x dimensions must be at least 1, got " + thetaDimension + " and " + xDimension);
    }
    this.config = config;
    this.thetaDimension = thetaDimension;
    this.xDimension = xDimension;
    this.consumesOnce = config.selector().consumesOnce();
    this.selector = Selector.of(config.selector(), config.capacity());
    this.limiter = new RateLimiter(config.ratio());
    this.random = new SplittableRandom(config.seed());
    try {
      this.training = new ColumnStore(allocator, "training", config.capacity(), thetaDimension, xDimension);
      this.validation =
          new ColumnStore(allocator, "validation", config.validationCapacity(), thetaDimension, xDimension);
    } catch (RuntimeException e) {
      allocator.close();
      throw e;
    }
    if (consumesOnce) {
      freeSlots = new int[config.capacity()];
      for (int i = 0; i < freeSlots.length; i++) {
        freeSlots[i] = freeSlots.length - 1 - i;
      }
    } else {
      freeSlots = new int[0];
    }
  }

  public ReplayBufferConfig config() {
    return config;
  }

  /**
   * Offers a sample. Every distinct sample id is counted once, whether it is kept or set aside,
   * so that a redelivered sample never counts twice. With a FIFO or FIRO selector a full buffer
   * makes this wait for the trainer to draw.
   */
  public InsertOutcome insert(Sample sample) {
    try {
      return insertAll(List.of(sample), -1, -1)[0];
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for room for " + sample.sampleId(), e);
    }
  }

  /**
   * Offers the samples of one Kafka record and notes that the partition has been read up to
   * {@code nextOffset}, so that a snapshot records exactly which records its contents cover.
   *
   * @param partition the record's partition, or −1 when the samples do not come from Kafka
   * @param nextOffset the offset after the record
   * @throws InterruptedException while waiting for room; the samples before it are kept and the
   *     offset is not advanced, so a rebuild re-reads the record and drops those as duplicates
   */
  public InsertOutcome[] insertAll(List<Sample> samples, int partition, long nextOffset)
      throws InterruptedException {
    InsertOutcome[] outcomes = new InsertOutcome[samples.size()];
    int i = 0;
    while (i < outcomes.length) {
      // A few samples per lock hold: fewer lock round trips for the ingestion thread, short
      // enough that an optimistic draw rarely has to retry.
      int kept = 0;
      boolean full = false;
      long stamp = lock.writeLock();
      try {
        for (int end = Math.min(outcomes.length, i + INSERTS_PER_LOCK); i < end; i++) {
          InsertOutcome outcome = tryInsert(samples.get(i));
          if (outcome == null) {
            full = true;
            break;
          }
          outcomes[i] = outcome;
          kept += outcome == InsertOutcome.TRAINING ? 1 : 0;
        }
      } finally {
        lock.unlockWrite(stamp);
      }
      if (kept > 0) {
        limiter.inserted(kept);
        grown.wake();
      }
      if (full) {
        room.await(() -> trainingSize < config.capacity(), Long.MAX_VALUE);
      }
    }
    if (partition >= 0) {
      long stamp = lock.writeLock();
      try {
        offsets.merge(partition, nextOffset, Math::max);
      } finally {
        lock.unlockWrite(stamp);
      }
    }
    return outcomes;
  }

  /** @return null when a consume-once buffer is full and the sample must wait */
  private InsertOutcome tryInsert(Sample sample) {
    long id = sampleKey(sample.sampleId());
    boolean held = isValidation(sample.sampleId());
    if (!held && consumesOnce && trainingSize == config.capacity() && !offered.contains(id)) {
      return null;
    }
    if (!offered.add(id)) {
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
    long proposal =
        sample.proposalId().equals(sample.sampleId()) ? id : sampleKey(sample.proposalId());
    if (held) {
      int slot = validationNext;
      validation.write(slot, sequence++, sample.round(), id, proposal, sample.theta(), sample.x(), 0);
      validationNext = (slot + 1) % validation.capacity;
      validationSize = Math.min(validationSize + 1, validation.capacity);
      validationInserts++;
      return InsertOutcome.VALIDATION;
    }
    trainingOffered++;
    int slot;
    if (trainingSize < config.capacity()) {
      slot = consumesOnce ? freeSlots[config.capacity() - 1 - trainingSize] : trainingSize;
      write(slot, sample, id, proposal);
      trainingHighWater = Math.max(trainingHighWater, slot + 1);
      trainingSize++;
      return InsertOutcome.TRAINING;
    }
    if (config.selector() == SelectorType.RESERVOIR) {
      long j = random.nextLong(trainingOffered);
      if (j >= config.capacity()) {
        notAdmitted++;
        return InsertOutcome.NOT_ADMITTED;
      }
      slot = (int) j;
    } else if (config.eviction() == Eviction.OLDEST) {
      slot = oldestSlot;
      oldestSlot = (oldestSlot + 1) % config.capacity();
    } else {
      slot = mostSeenSlot();
    }
    evicted++;
    if (selector != null) {
      selector.removed(slot);
    }
    write(slot, sample, id, proposal);
    return InsertOutcome.TRAINING;
  }

  private void write(int slot, Sample sample, long id, long proposal) {
    training.write(slot, sequence++, sample.round(), id, proposal, sample.theta(), sample.x(), 0);
    if (selector != null) {
      selector.inserted(slot);
    }
  }

  private int mostSeenSlot() {
    int capacity = config.capacity();
    boolean all = capacity <= MOST_SEEN_CANDIDATES;
    int best = -1;
    for (int i = 0; i < (all ? capacity : MOST_SEEN_CANDIDATES); i++) {
      int slot = all ? i : random.nextInt(capacity);
      if (best < 0
          || training.seen(slot) > training.seen(best)
          || (training.seen(slot) == training.seen(best) && training.sequence(slot) < training.sequence(best))) {
        best = slot;
      }
    }
    return best;
  }

  /**
   * 64-bit FNV-1a of the id, mixed: ten million ids collide with probability about 3·10⁻⁶, and
   * the key is all a snapshot needs to keep deduplicating after a restore.
   */
  static long sampleKey(String id) {
    long h = 0xcbf29ce484222325L;
    for (int i = 0; i < id.length(); i++) {
      h ^= id.charAt(i);
      h *= 0x100000001b3L;
    }
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    return h ^ (h >>> 33);
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
    return grown.await(() -> trainingSize >= config.watermark(), unit.toNanos(timeout));
  }

  /**
   * Declares that no more samples will be inserted (every simulation of the round arrived): the
   * rate limit lifts, and FIFO or FIRO draws return what is left instead of waiting.
   */
  public void finishInserts() {
    limiter.finishInserts();
    room.wake();
    grown.wake();
  }

  /**
   * Declares that samples are expected again after {@link #finishInserts} (the next round was
   * proposed): the rate limit applies again, to the draws from now on.
   */
  public void expectInserts() {
    limiter.expectInserts();
  }

  /** Whether {@link #finishInserts} was declared and no {@link #expectInserts} since. */
  public boolean insertsFinished() {
    return limiter.insertsFinished();
  }

  /** True when the trainer draws less than the samples-per-insert ratio allows, beyond the error buffer. */
  public boolean trainingLags() {
    return limiter.lag() > 0;
  }

  /**
   * {@code n} training rows picked by the configured selector. Blocks while the rate limiter
   * forbids the draw, and with FIFO or FIRO while fewer than {@code n} samples are held and more
   * may come. An interrupt ends the wait and returns a minibatch anyway, with the interrupt flag
   * set, so the caller's loop notices it at its next check.
   *
   * @throws IllegalStateException when nothing can be drawn and nothing more will come
   */
  public Minibatch sample(int n, RandomGenerator rng) {
    if (n < 1) {
      throw new IllegalArgumentException("a minibatch needs at least 1 row, got " + n);
    }
    if (consumesOnce && n > config.capacity()) {
      throw new IllegalArgumentException(
          "a minibatch of " + n + " rows cannot be drawn from a " + config.selector()
              + " buffer of buffer.capacity " + config.capacity() + ": it would wait forever");
    }
    try {
      limiter.awaitDraw(n);
      if (consumesOnce) {
        grown.await(() -> trainingSize >= n || limiter.insertsFinished(), Long.MAX_VALUE);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    Minibatch batch = selector == null ? drawUniform(n, rng) : drawSelected(n, rng);
    limiter.drew(batch.size());
    return batch;
  }

  private Minibatch drawUniform(int n, RandomGenerator rng) {
    float[] theta = new float[n * thetaDimension];
    float[] x = new float[n * xDimension];
    long[] keys = new long[n];
    int[] rounds = new int[n];
    for (int attempt = 0; ; attempt++) {
      // Optimistically first; after repeated overlaps with inserts, under the read lock.
      boolean locked = attempt >= 3;
      long stamp = locked ? lock.readLock() : lock.tryOptimisticRead();
      try {
        int size = trainingSize;
        if (size == 0) {
          throw new IllegalStateException("the buffer holds no training samples yet");
        }
        for (int i = 0; i < n; i++) {
          int slot = rng.nextInt(size);
          training.copyRow(slot, theta, x, i);
          keys[i] = training.key(slot);
          rounds[i] = training.round(slot);
        }
      } finally {
        if (locked) {
          lock.unlockRead(stamp);
        }
      }
      if (locked || lock.validate(stamp)) {
        break;
      }
    }
    // Counts are written only by the drawing thread; an insert racing a count can at worst carry
    // one draw over to the row that replaced the drawn one.
    for (long key : keys) {
      training.addSeen((int) (key & SLOT_MASK));
    }
    return new Minibatch(n, thetaDimension, xDimension, theta, x, keys, rounds);
  }

  private Minibatch drawSelected(int n, RandomGenerator rng) {
    float[] theta = new float[n * thetaDimension];
    float[] x = new float[n * xDimension];
    long[] keys = new long[n];
    int[] rounds = new int[n];
    int drawn = 0;
    long stamp = lock.writeLock();
    try {
      for (; drawn < n; drawn++) {
        int slot = selector.select(rng);
        if (slot < 0) {
          break;
        }
        training.copyRow(slot, theta, x, drawn);
        keys[drawn] = training.key(slot);
        rounds[drawn] = training.round(slot);
        training.addSeen(slot);
        if (consumesOnce) {
          training.free(slot);
          freeSlots[config.capacity() - trainingSize] = slot;
          trainingSize--;
        }
      }
    } finally {
      lock.unlockWrite(stamp);
    }
    if (consumesOnce) {
      room.wake();
    }
    if (drawn == 0) {
      throw new IllegalStateException(
          "the buffer holds no training samples to draw" + (limiter.insertsFinished() ? " and no more will come" : ""));
    }
    if (drawn == n) {
      return new Minibatch(n, thetaDimension, xDimension, theta, x, keys, rounds);
    }
    return new Minibatch(
        drawn, thetaDimension, xDimension,
        Arrays.copyOf(theta, drawn * thetaDimension), Arrays.copyOf(x, drawn * xDimension),
        Arrays.copyOf(keys, drawn), Arrays.copyOf(rounds, drawn));
  }

  /**
   * The trainer's loss on each row of a minibatch, for the prioritized selector. Rows replaced
   * since they were drawn are skipped: the loss belongs to the sample, not the slot.
   */
  public void reportLosses(long[] keys, float[] losses) {
    if (config.selector() != SelectorType.PRIORITIZED) {
      throw new IllegalStateException("losses are only used by the PRIORITIZED selector, this buffer's is " + config.selector());
    }
    if (keys.length != losses.length) {
      throw new IllegalArgumentException(keys.length + " keys but " + losses.length + " losses");
    }
    long stamp = lock.writeLock();
    try {
      for (int i = 0; i < keys.length; i++) {
        int slot = (int) (keys[i] & SLOT_MASK);
        if (slot < config.capacity()
            && training.sequence(slot) == keys[i] >>> ReplayBufferConfig.SLOT_BITS
            && Float.isFinite(losses[i])) {
          selector.reportLoss(slot, losses[i]);
        }
      }
    } finally {
      lock.unlockWrite(stamp);
    }
  }

  /** A copy of every training row, oldest first. */
  public Minibatch trainingSet() {
    return underReadLock(() -> copy(training, trainingHighWater));
  }

  /** A copy of every validation row, oldest first. */
  public Minibatch validationSet() {
    return underReadLock(() -> copy(validation, validation.capacity));
  }

  private static int[] heldSlots(ColumnStore store, int highWater) {
    long[] order = new long[highWater];
    int n = 0;
    for (int slot = 0; slot < highWater; slot++) {
      long seq = store.sequence(slot);
      if (seq != ColumnStore.FREE) {
        order[n++] = seq << ReplayBufferConfig.SLOT_BITS | slot;
      }
    }
    Arrays.sort(order, 0, n);
    int[] slots = new int[n];
    for (int i = 0; i < n; i++) {
      slots[i] = (int) (order[i] & SLOT_MASK);
    }
    return slots;
  }

  private static Minibatch copy(ColumnStore store, int highWater) {
    int[] slots = heldSlots(store, highWater);
    int n = slots.length;
    float[] theta = new float[n * store.thetaDimension];
    float[] x = new float[n * store.xDimension];
    long[] keys = new long[n];
    int[] rounds = new int[n];
    for (int i = 0; i < n; i++) {
      store.copyRow(slots[i], theta, x, i);
      keys[i] = store.key(slots[i]);
      rounds[i] = store.round(slots[i]);
    }
    return new Minibatch(n, store.thetaDimension, store.xDimension, theta, x, keys, rounds);
  }

  public int trainingSize() {
    return trainingSize;
  }

  public int validationSize() {
    return validationSize;
  }

  /**
   * Samples ever put in the validation split: it changes whenever the split does, also once the
   * split is full and its oldest rows are replaced, so validation losses taken at the same count
   * are taken on the same rows.
   */
  public long validationInserts() {
    return validationInserts;
  }

  /** Samples dropped because their id was already offered. */
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

  /** Training samples that made room for newer ones. */
  public long evicted() {
    return underReadLock(() -> evicted);
  }

  /** Samples the full reservoir did not keep. */
  public long notAdmitted() {
    return underReadLock(() -> notAdmitted);
  }

  /** Distinct sample ids offered so far, kept or set aside. */
  public int distinctSamples() {
    return underReadLock(offered::size);
  }

  /** Per partition of the samples topic, the offset after the last record inserted. */
  public Map<Integer, Long> offsets() {
    return underReadLock(() -> Map.copyOf(offsets));
  }

  /** Notes a record that held no usable sample (undecodable), so a restart does not re-read it. */
  public void skipped(int partition, long nextOffset) {
    long stamp = lock.writeLock();
    try {
      offsets.merge(partition, nextOffset, Math::max);
    } finally {
      lock.unlockWrite(stamp);
    }
  }

  /** Arrow memory held, in bytes. */
  public long offHeapBytes() {
    return allocator.getAllocatedMemory();
  }

  /** Size, rates, the put/get balance, the times-seen histogram and per-column moments. */
  public synchronized BufferMetrics metrics() {
    long now = System.nanoTime();
    long inserts = limiter.inserts();
    long draws = limiter.draws();
    double seconds = Math.max(1e-9, (now - windowStart) / 1e9);
    long newInserts = inserts - windowInserts;
    long newDraws = draws - windowDraws;
    windowStart = now;
    windowInserts = inserts;
    windowDraws = draws;
    long stamp = lock.readLock();
    try {
      int[] slots = heldSlots(training, trainingHighWater);
      long[] histogram = new long[33];
      double[] thetaSum = new double[thetaDimension];
      double[] thetaSq = new double[thetaDimension];
      double[] xSum = new double[xDimension];
      double[] xSq = new double[xDimension];
      for (int slot : slots) {
        histogram[32 - Integer.numberOfLeadingZeros(training.seen(slot))]++;
        for (int j = 0; j < thetaDimension; j++) {
          double v = training.theta(slot, j);
          thetaSum[j] += v;
          thetaSq[j] += v * v;
        }
        for (int j = 0; j < xDimension; j++) {
          double v = training.x(slot, j);
          xSum[j] += v;
          xSq[j] += v * v;
        }
      }
      int used = histogram.length;
      while (used > 1 && histogram[used - 1] == 0) {
        used--;
      }
      int n = slots.length;
      return new BufferMetrics(
          trainingSize, validationSize, inserts, draws,
          newInserts / seconds, newDraws / seconds,
          newInserts == 0 ? Double.NaN : newDraws / (double) newInserts,
          Arrays.copyOf(histogram, used),
          mean(thetaSum, n), std(thetaSum, thetaSq, n), mean(xSum, n), std(xSum, xSq, n),
          allocator.getAllocatedMemory());
    } finally {
      lock.unlockRead(stamp);
    }
  }

  private static double[] mean(double[] sum, int n) {
    double[] out = new double[sum.length];
    for (int j = 0; j < sum.length; j++) {
      out[j] = n == 0 ? Double.NaN : sum[j] / n;
    }
    return out;
  }

  private static double[] std(double[] sum, double[] sq, int n) {
    double[] out = new double[sum.length];
    for (int j = 0; j < sum.length; j++) {
      double m = sum[j] / n;
      out[j] = n == 0 ? Double.NaN : Math.sqrt(Math.max(0, sq[j] / n - m * m));
    }
    return out;
  }

  /**
   * Writes the contents, the ids offered, the counters and the Kafka offsets they cover, as one
   * consistent cut (inserts wait meanwhile), to a file that appears only once complete.
   * Priorities are not kept: restored samples start at the highest priority.
   */
  public void snapshot(Path file) throws IOException {
    Path partial = file.resolveSibling(file.getFileName() + ".partial");
    long stamp = lock.readLock();
    try (DataOutputStream out =
        new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(partial), 1 << 16))) {
      out.writeInt(SNAPSHOT_MAGIC);
      out.writeInt(SNAPSHOT_VERSION);
      out.writeInt(thetaDimension);
      out.writeInt(xDimension);
      for (long v : new long[] {sequence, trainingOffered, duplicates, nonFinite, wrongDimension,
          evicted, notAdmitted, limiter.inserts(), limiter.draws()}) {
        out.writeLong(v);
      }
      out.writeInt(offsets.size());
      for (Map.Entry<Integer, Long> e : offsets.entrySet()) {
        out.writeInt(e.getKey());
        out.writeLong(e.getValue());
      }
      long[] ids = offered.toArray();
      out.writeInt(ids.length);
      for (long id : ids) {
        out.writeLong(id);
      }
      training.writeRows(out, heldSlots(training, trainingHighWater));
      validation.writeRows(out, heldSlots(validation, validation.capacity));
    } finally {
      lock.unlockRead(stamp);
    }
    Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /**
   * A buffer holding what a snapshot held; its ingestion resumes after the snapshot's offsets.
   *
   * @throws IllegalArgumentException when the snapshot does not fit this configuration
   */
  public static ReplayBuffer restore(Path file, ReplayBufferConfig config, int thetaDimension, int xDimension)
      throws IOException {
    ReplayBuffer buffer = new ReplayBuffer(config, thetaDimension, xDimension);
    try (DataInputStream in =
        new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
      if (in.readInt() != SNAPSHOT_MAGIC || in.readInt() != SNAPSHOT_VERSION) {
        throw new IllegalArgumentException(file + " is not a replay buffer snapshot of version " + SNAPSHOT_VERSION);
      }
      int td = in.readInt();
      int xd = in.readInt();
      if (td != thetaDimension || xd != xDimension) {
        throw new IllegalArgumentException(
            file + " holds θ of " + td + " and x of " + xd + " values, the buffer " + thetaDimension
                + " and " + xDimension);
      }
      buffer.sequence = in.readLong();
      buffer.trainingOffered = in.readLong();
      buffer.duplicates = in.readLong();
      buffer.nonFinite = in.readLong();
      buffer.wrongDimension = in.readLong();
      buffer.evicted = in.readLong();
      buffer.notAdmitted = in.readLong();
      buffer.limiter.restore(in.readLong(), in.readLong());
      for (int i = in.readInt(); i > 0; i--) {
        buffer.offsets.put(in.readInt(), in.readLong());
      }
      for (int i = in.readInt(); i > 0; i--) {
        buffer.offered.add(in.readLong());
      }
      int rows = in.readInt();
      if (rows > config.capacity()) {
        throw new IllegalArgumentException(
            file + " holds " + rows + " training samples, more than buffer.capacity " + config.capacity());
      }
      for (int i = 0; i < rows; i++) {
        int slot = buffer.consumesOnce ? buffer.freeSlots[config.capacity() - 1 - i] : i;
        buffer.training.readRow(in, slot);
        if (buffer.selector != null) {
          buffer.selector.inserted(slot);
        }
        buffer.trainingHighWater = Math.max(buffer.trainingHighWater, slot + 1);
        buffer.trainingSize = i + 1;
      }
      buffer.oldestSlot = rows % config.capacity();
      int validationRows = in.readInt();
      int skip = Math.max(0, validationRows - buffer.validation.capacity);
      for (int i = 0; i < validationRows; i++) {
        // A smaller validation split keeps the newest rows, as it would have evicted the oldest.
        buffer.validation.readRow(in, i < skip ? 0 : i - skip);
      }
      buffer.validationSize = validationRows - skip;
      buffer.validationInserts = buffer.validationSize;
      buffer.validationNext = buffer.validationSize % buffer.validation.capacity;
    } catch (IOException | RuntimeException e) {
      buffer.close();
      throw e;
    }
    return buffer;
  }

  private <T> T underReadLock(Supplier<T> read) {
    long stamp = lock.readLock();
    try {
      return read.get();
    } finally {
      lock.unlockRead(stamp);
    }
  }

  public int thetaDimension() {
    return thetaDimension;
  }

  public int xDimension() {
    return xDimension;
  }

  /** Frees the off-heap columns; draws after this fail. */
  @Override
  public void close() {
    long stamp = lock.writeLock();
    try {
      training.close();
      validation.close();
      allocator.close();
    } finally {
      lock.unlockWrite(stamp);
    }
  }
}

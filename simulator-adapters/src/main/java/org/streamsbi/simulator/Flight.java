package org.streamsbi.simulator;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.streamsbi.core.Proposal;
import org.streamsbi.core.arrow.MalformedBatchException;
import org.streamsbi.core.arrow.ProposalCodec;

/**
 * The records of one poll while their proposals are simulated: the proposals in order, how each
 * ended, and the partitions a rebalance took away meanwhile (whose results must not be written).
 * The worker's consumer thread owns it; the simulating threads only fill {@link #outcomes} and
 * count down.
 */
final class Flight {
  final List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
  final Map<ConsumerRecord<String, byte[]>, List<Proposal>> proposals = new HashMap<>();
  final Map<ConsumerRecord<String, byte[]>, String> malformed = new HashMap<>();
  /** The proposals of all records, in record order: what {@link #outcomes} answers. */
  final List<Proposal> all = new ArrayList<>();
  final ResilientSimulation.Outcome[] outcomes;
  final Set<TopicPartition> revoked = new HashSet<>();
  final long takenAt;
  /** Whether the worker has learnt its pace; the consumer thread's only. */
  boolean measured;
  private final AtomicInteger running = new AtomicInteger();
  private final AtomicReference<Throwable> crash = new AtomicReference<>();
  private final AtomicLong firstTaskAt = new AtomicLong();
  private volatile long doneAt;

  Flight(ConsumerRecords<String, byte[]> polled, ProposalCodec codec, long takenAt) {
    this.takenAt = takenAt;
    for (ConsumerRecord<String, byte[]> record : polled) {
      records.add(record);
      try {
        List<Proposal> decoded = codec.decode(record.value());
        proposals.put(record, decoded);
        all.addAll(decoded);
      } catch (MalformedBatchException e) {
        malformed.put(record, "malformed proposal batch: " + e.getMessage());
      }
    }
    this.outcomes = new ResilientSimulation.Outcome[all.size()];
  }

  /** Notes that {@code tasks} tasks simulate its proposals; each calls {@link #finished} once. */
  void started(int tasks) {
    running.set(tasks);
  }

  /** A task began simulating. */
  void taskStarted() {
    firstTaskAt.compareAndSet(0, System.nanoTime());
  }

  /**
   * A task ended, {@code failure} null unless it threw (a bug, never a simulation's failure).
   *
   * @return whether it was the last: the flight is done
   */
  boolean finished(Throwable failure) {
    if (failure != null) {
      crash.compareAndSet(null, failure);
    }
    if (running.decrementAndGet() > 0) {
      return false;
    }
    doneAt = System.nanoTime();
    return true;
  }

  /**
   * Seconds from its first task's start to its end per proposal: how long the slots took per
   * proposal together; NaN before it is done or when it held none.
   */
  double secondsPerProposal() {
    long started = firstTaskAt.get();
    return !done() || all.isEmpty() || started == 0 ? Double.NaN : (doneAt - started) / 1e9 / all.size();
  }

  /** Whether every proposal has its outcome; the outcomes are then visible to the caller. */
  boolean done() {
    return running.get() == 0;
  }

  /** @throws IllegalStateException when a simulating task threw */
  void throwIfCrashed() {
    Throwable t = crash.get();
    if (t != null) {
      throw new IllegalStateException("simulation task failed unexpectedly", t);
    }
  }

  boolean refusedAny() {
    for (ResilientSimulation.Outcome o : outcomes) {
      if (o.refused()) {
        return true;
      }
    }
    return false;
  }

  Set<TopicPartition> partitions() {
    Set<TopicPartition> out = new HashSet<>();
    records.forEach(r -> out.add(new TopicPartition(r.topic(), r.partition())));
    return out;
  }
}

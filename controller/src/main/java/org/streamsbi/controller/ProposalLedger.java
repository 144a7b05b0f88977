package org.streamsbi.controller;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.streamsbi.broker.DeadLetters;
import org.streamsbi.broker.KafkaClients;
import org.streamsbi.broker.RunTopics;
import org.streamsbi.broker.TopicFollower;
import org.streamsbi.core.Proposal;
import org.streamsbi.core.Sample;
import org.streamsbi.core.arrow.MalformedBatchException;
import org.streamsbi.core.arrow.SampleCodec;
import org.streamsbi.simulator.SimulationException;

/**
 * Which proposals are resolved: those with a sample, those a worker gave up on (a proposal dead
 * letter), and those a stopped run abandoned (a proposal dead letter with failure abandoned). A
 * streaming solver gives one proposal many samples, and a run that died part-way gives it samples
 * and a dead letter, so the round is complete when the resolved proposals, not the samples, reach
 * the budget. Only the answers to proposals the run issued ({@link IssuedProposals}) count. Follows
 * both topics read_committed from their beginning.
 */
final class ProposalLedger implements Runnable, AutoCloseable {
  /** Dead letters kept with their reasons for progress reports; the topic keeps them all. */
  static final int RECENT_DEAD_LETTERS = 10;

  private final SampleCodec codec;
  private final IssuedProposals issued;
  private final TopicFollower samples;
  private final TopicFollower deadLetters;
  private final Set<String> resolved = ConcurrentHashMap.newKeySet();
  private final Set<String> sampleIds = ConcurrentHashMap.newKeySet();
  private final Map<String, String> failed = new ConcurrentHashMap<>();
  private final Set<String> abandoned = ConcurrentHashMap.newKeySet();
  /** Issued proposals without a result yet, by id: what a stopped run abandons. */
  private final Map<String, Proposal> pending = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> samplesByWorker = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> failedByWorker = new ConcurrentHashMap<>();
  private final Map<String, DoubleAdder> secondsByWorker = new ConcurrentHashMap<>();
  private final AtomicLong deadLetterCount = new AtomicLong();
  private final Map<String, LongAdder> deadLettersByKind = new ConcurrentHashMap<>();
  private final Deque<RunProgress.DeadLetter> recentDeadLetters = new ArrayDeque<>();
  private volatile long lastResolvedAt;
  private volatile String lastFailure = "";

  ProposalLedger(KafkaClients clients, RunTopics topics, IssuedProposals issued, int thetaDimension, int xDimension) {
    this.issued = issued;
    this.codec = new SampleCodec(thetaDimension, xDimension);
    this.samples = new TopicFollower(clients, topics.samples(), topics.run() + "-ledger-samples", this::sample);
    this.deadLetters =
        new TopicFollower(clients, topics.deadLetters(), topics.run() + "-ledger-dead-letters", this::letter);
  }

  private void sample(ConsumerRecord<String, byte[]> record) {
    try {
      for (Sample s : codec.decode(record.value())) {
        if (issued.refusal(s).isPresent()) {
          // Not the run's own: the ingestor sets it aside as a dead letter; it resolves nothing.
          continue;
        }
        if (sampleIds.add(s.sampleId())) {
          secondsByWorker.computeIfAbsent(s.worker(), w -> new DoubleAdder()).add(s.simulationSeconds());
          samplesByWorker.computeIfAbsent(s.worker(), w -> new LongAdder()).increment();
        }
        resolve(s.proposalId(), true);
      }
    } catch (MalformedBatchException e) {
      // The ingestor sets undecodable batches aside as dead letters; they resolve nothing.
    }
  }

  private void letter(ConsumerRecord<String, byte[]> letter) {
    deadLetterCount.incrementAndGet();
    String id = DeadLetters.header(letter.headers(), DeadLetters.PROPOSAL_ID);
    String kind = DeadLetters.header(letter.headers(), DeadLetters.KIND);
    String worker = DeadLetters.header(letter.headers(), "streamsbi.worker");
    deadLettersByKind.computeIfAbsent(kind == null ? "unknown" : kind, k -> new LongAdder()).increment();
    synchronized (recentDeadLetters) {
      recentDeadLetters.addLast(new RunProgress.DeadLetter(
          kind, DeadLetters.header(letter.headers(), DeadLetters.REASON), id, worker));
      if (recentDeadLetters.size() > RECENT_DEAD_LETTERS) {
        recentDeadLetters.removeFirst();
      }
    }
    if (id != null && "proposal".equals(kind)) {
      String failure = DeadLetters.header(letter.headers(), "streamsbi.failure");
      // A proposal ends once: a worker that answers an abandoned one late, or the reverse, is not counted.
      if (SimulationException.Kind.ABANDONED.label().equals(failure)) {
        if (!failed.containsKey(id)) {
          abandoned.add(id);
        }
        resolve(id, false);
        return;
      }
      if (!abandoned.contains(id) && failed.putIfAbsent(id, failure == null ? "unknown" : failure) == null) {
        failedByWorker.computeIfAbsent(worker == null ? "unknown" : worker, w -> new LongAdder()).increment();
      }
      String exitCode = DeadLetters.header(letter.headers(), "streamsbi.exit-code");
      String stderr = DeadLetters.header(letter.headers(), "streamsbi.stderr-tail");
      lastFailure = failure + " (" + DeadLetters.header(letter.headers(), DeadLetters.REASON) + ")"
          + (exitCode == null ? "" : ", exit status " + exitCode)
          + (stderr == null || stderr.isBlank() ? ", nothing on stderr" : ", stderr ending:\n" + stderr.strip());
      resolve(id, true);
    }
  }

  /** {@code simulated} false for an abandoned proposal, whose letter ends no simulation. */
  private void resolve(String proposalId, boolean simulated) {
    pending.remove(proposalId);
    if (resolved.add(proposalId) && simulated) {
      lastResolvedAt = System.nanoTime();
    }
  }

  /** Waits until {@code proposals} are resolved; false when {@code timeout} passed first. */
  boolean awaitResolved(int proposals, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (resolved.size() < proposals) {
      if (System.nanoTime() >= deadline) {
        return false;
      }
      Thread.sleep(20);
    }
    return true;
  }

  /** Notes proposals about to be sent, before any result for them can be read. */
  void issued(List<Proposal> proposals) {
    issued.issue(proposals);
    proposals.forEach(p -> pending.put(p.proposalId(), p));
  }

  /** Issued proposals without a sample or a dead letter read yet. */
  List<Proposal> unresolved() {
    return List.copyOf(pending.values());
  }

  @Override
  public void run() {
    Thread letters = new Thread(deadLetters, Thread.currentThread().getName() + "-dead-letters");
    letters.setDaemon(true);
    letters.start();
    try {
      samples.run();
    } finally {
      deadLetters.close();
    }
  }

  /** Distinct proposals with a sample or a dead letter. */
  int resolved() {
    return resolved.size();
  }

  /**
   * {@link System#nanoTime()} when the latest proposal was resolved by a sample or a worker's dead
   * letter; 0 before the first.
   */
  long lastResolvedAt() {
    return lastResolvedAt;
  }

  /** The failure, reason, exit status and stderr tail of the latest failed proposal; empty before one. */
  String lastFailure() {
    return lastFailure;
  }

  /** Distinct sample ids of the run's own proposals, written by workers or direct producers. */
  int samples() {
    return sampleIds.size();
  }

  /** Distinct proposals workers gave up on. */
  int failed() {
    return failed.size();
  }

  /** Distinct proposals a stopped run abandoned, not counted as failed. */
  int abandoned() {
    return abandoned.size();
  }

  /** Failed proposals by failure (failed, timed-out, invalid-output). */
  Map<String, Long> failedByFailure() {
    Map<String, Long> out = new TreeMap<>();
    failed.values().forEach(f -> out.merge(f, 1L, Long::sum));
    return out;
  }

  /** Records on the dead-letter topic, of any kind. */
  long deadLetters() {
    return deadLetterCount.get();
  }

  /** Dead letters of one kind read so far. */
  long deadLetters(String kind) {
    LongAdder count = deadLettersByKind.get(kind);
    return count == null ? 0 : count.sum();
  }

  /** Dead letters by the kind of record they set aside. */
  Map<String, Long> deadLettersByKind() {
    return tally(deadLettersByKind);
  }

  /** The latest {@value #RECENT_DEAD_LETTERS} dead letters, newest last. */
  List<RunProgress.DeadLetter> recentDeadLetters() {
    synchronized (recentDeadLetters) {
      return List.copyOf(recentDeadLetters);
    }
  }

  /** Distinct samples by the worker that wrote them. */
  Map<String, Long> samplesByWorker() {
    return tally(samplesByWorker);
  }

  /** Failed proposals by the worker that gave up on them. */
  Map<String, Long> failedByWorker() {
    return tally(failedByWorker);
  }

  /** Simulation wall time of the distinct samples, by the worker that wrote them. */
  Map<String, Double> simulationSecondsByWorker() {
    Map<String, Double> out = new TreeMap<>();
    secondsByWorker.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }

  private static Map<String, Long> tally(Map<String, LongAdder> counts) {
    Map<String, Long> out = new TreeMap<>();
    counts.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }

  @Override
  public void close() {
    samples.close();
    deadLetters.close();
  }
}

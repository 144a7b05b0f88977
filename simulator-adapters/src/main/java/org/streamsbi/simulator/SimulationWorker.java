package org.streamsbi.simulator;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.errors.WakeupException;
import org.streamsbi.broker.Acknowledgements;
import org.streamsbi.broker.BrokerException;
import org.streamsbi.broker.DeadLetters;
import org.streamsbi.broker.KafkaClients;
import org.streamsbi.broker.RunTopics;
import org.streamsbi.core.Proposal;
import org.streamsbi.core.Sample;
import org.streamsbi.core.arrow.MalformedBatchException;
import org.streamsbi.core.arrow.ProposalCodec;
import org.streamsbi.core.arrow.SampleCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes proposals from the run's proposals topic as a member of the worker group, simulates them
 * behind Resilience4j ({@link SimulationWorkerConfig}) and writes samples and dead letters back.
 *
 * <p>Exactly once: the samples and dead letters of a poll and the consumer offsets past it are
 * committed in one Kafka transaction, so a proposal counts as done only when its results are
 * written, and read_committed readers never see the results of a poll whose offsets were not
 * committed. The transaction spans the writes only, not the simulations, so hour-long simulations
 * do not outlive the transaction timeout; while they run the worker keeps polling (with its
 * partitions paused once its slots have a poll queued behind the one they simulate) to stay in the
 * group. Commits overlap the simulations: the slots go on with the next poll's proposals while the
 * last one's results are committed. A worker that dies hands its uncommitted proposals to
 * another member, and results for partitions it lost in a rebalance are discarded, not written.
 *
 * <p>When the circuit breaker opens the worker still commits what it resolved, writes the
 * proposals it had not tried back to the proposals topic in the same transaction, leaves the group
 * (so other workers take them), says so in the log and on the events topic, and rejoins when the
 * breaker half-opens.
 */
public final class SimulationWorker implements Runnable, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SimulationWorker.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration POLL = Duration.ofMillis(200);
  /** How often the worker looks for finished simulations to commit while some are under way. */
  private static final Duration TICK = Duration.ofMillis(10);
  private static final Duration TRANSACTION_WINDOW = Duration.ofMillis(200);
  /**
   * Polls' records under way at least: the slots simulate the next poll's proposals while the last
   * one's results are committed, so a commit does not leave them idle.
   */
  private static final int POLLS_AHEAD = 2;
  /**
   * Simulation time queued for the slots at least, as far as they took for the last proposals:
   * quick simulations finish two polls long before a commit does (a commit took up to half a
   * second on a busy machine), slow ones are held by {@link #POLLS_AHEAD} alone, so that a worker
   * does not hoard proposals that other workers could take.
   */
  private static final Duration LOOKAHEAD = Duration.ofSeconds(1);
  /** Bytes of samples per record, roughly: well under the producer's default request size of 1 MiB. */
  private static final int SAMPLE_RECORD_BYTES = 256 * 1024;

  private final String workerId;
  private final RunTopics topics;
  private final StreamingSimulator simulator;
  private final ProposalCodec proposalCodec;
  private final SampleCodec sampleCodec;
  private final KafkaConsumer<String, byte[]> consumer;
  private final KafkaProducer<String, byte[]> producer;
  private final DeadLetters deadLetters;
  private final ResilientSimulation simulation;
  private final ExecutorService pool;
  private final int concurrency;
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final AtomicLong simulated = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicLong samplesWritten = new AtomicLong();
  private final int maxPollRecords;
  private final int samplesPerRecord;
  /** Polls under way or awaiting their commit, in the order they came; the consumer thread's only. */
  private final Deque<Flight> flights = new ArrayDeque<>();
  private boolean landing;
  private CompletableFuture<Void> transactions;
  /** The slots' recent pace, together; infinite until a flight has been timed. */
  private double secondsPerProposal = Double.POSITIVE_INFINITY;
  /** Released when a flight's last task ends. */
  private final Semaphore landed = new Semaphore(0);

  /**
   * A worker for an in-JVM simulator whose failures depend only on θ and the seed
   * ({@link SimulationWorkerConfig#deterministic()}).
   */
  public SimulationWorker(String workerId, KafkaClients clients, RunTopics topics, Simulator simulator) {
    this(workerId, clients, topics, simulator, SimulationWorkerConfig.deterministic());
  }

  public SimulationWorker(
      String workerId, KafkaClients clients, RunTopics topics, Simulator simulator, SimulationWorkerConfig config) {
    this(workerId, clients, topics, StreamingSimulator.of(simulator), config);
  }

  public SimulationWorker(
      String workerId, KafkaClients clients, RunTopics topics, StreamingSimulator simulator,
      SimulationWorkerConfig config) {
    this.workerId = workerId;
    this.topics = topics;
    this.simulator = simulator;
    this.concurrency = config.concurrency();
    this.proposalCodec = new ProposalCodec(simulator.thetaDimension());
    this.sampleCodec = new SampleCodec(simulator.thetaDimension(), simulator.xDimension());
    this.simulation = new ResilientSimulation(workerId, simulator, config);
    // A poll takes only as many records as run at once (each holds a proposal at least; a batch
    // simulator fills its batches), so a slow simulation delays, and a crash loses, little other work.
    // Cooperative rebalancing revokes only the partitions that move: with the eager default every
    // join or leave (each circuit that opens or half-opens) revoked every worker's partitions and
    // so discarded every batch in flight, and workers whose circuits kept opening discarded each
    // other's dead letters for ever.
    this.maxPollRecords = concurrency * simulation.batchSize();
    // θ and x as float32, plus the ids, the seed, the round and the time.
    this.samplesPerRecord =
        Math.max(1, SAMPLE_RECORD_BYTES / (4 * (simulator.thetaDimension() + simulator.xDimension()) + 128));
    this.consumer =
        clients.consumer(topics.workerGroup(), workerId, Map.of(
            ConsumerConfig.MAX_POLL_RECORDS_CONFIG, maxPollRecords,
            ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName()));
    this.producer = clients.transactionalProducer(workerId, topics.run() + "-" + workerId + "-" + UUID.randomUUID());
    this.deadLetters = new DeadLetters(producer, topics);
    AtomicInteger threads = new AtomicInteger();
    this.pool =
        Executors.newFixedThreadPool(
            concurrency,
            r -> {
              Thread t = new Thread(r, "streamsbi-" + workerId + "-" + threads.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
  }

  @Override
  public void run() {
    try {
      // The producer's start (finding its coordinator, fencing an older self) and the group join
      // take a few round trips each: take them at once, the first commit waits for the producer.
      transactions = CompletableFuture.runAsync(producer::initTransactions, task -> {
        Thread t = new Thread(task, "streamsbi-" + workerId + "-transactions");
        t.setDaemon(true);
        t.start();
      });
      subscribe();
      while (running.get()) {
        if (transactions.isCompletedExceptionally()) {
          awaitTransactions();
        }
        if (simulation.circuitBreaker().getState() == CircuitBreaker.State.OPEN) {
          land();
          if (running.get()) {
            standAside();
          }
          continue;
        }
        ConsumerRecords<String, byte[]> records;
        if (steer()) {
          records = consumer.poll(flights.isEmpty() ? POLL : TICK);
        } else {
          // Woken as soon as a flight lands, so that its slots find the next poll already queued.
          landed.tryAcquire(POLL.toMillis(), TimeUnit.MILLISECONDS);
          landed.drainPermits();
          records = consumer.poll(Duration.ZERO);
        }
        if (!records.isEmpty()) {
          launch(records);
        }
        commitDue(records.isEmpty());
      }
    } catch (WakeupException e) {
      if (running.get()) {
        throw e;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      pool.shutdownNow();
      simulation.close();
      consumer.close();
      producer.close();
    }
  }

  private void subscribe() {
    consumer.subscribe(
        List.of(topics.proposals()),
        new ConsumerRebalanceListener() {
          @Override
          public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            flights.forEach(f -> f.revoked.addAll(partitions));
          }

          @Override
          public void onPartitionsLost(Collection<TopicPartition> partitions) {
            onPartitionsRevoked(partitions);
          }

          @Override
          public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            if (!hasRoom()) {
              consumer.pause(partitions);
            }
          }
        });
  }

  /**
   * Whether the slots may take more: while fewer than {@link #POLLS_AHEAD} polls' records, or
   * less than {@link #LOOKAHEAD} of simulation, are under way, so that they always have work
   * queued behind what they simulate; none while the worker lands its flights for an open circuit.
   */
  private boolean hasRoom() {
    if (landing) {
      return false;
    }
    int records = 0;
    int proposals = 0;
    for (Flight f : flights) {
      if (f.done()) {
        learn(f);
      } else {
        records += f.records.size();
        proposals += f.all.size();
      }
    }
    return records < POLLS_AHEAD * maxPollRecords || proposals * secondsPerProposal < LOOKAHEAD.toNanos() / 1e9;
  }

  /** Folds a finished flight's pace into {@link #secondsPerProposal}, once. */
  private void learn(Flight flight) {
    double pace = flight.secondsPerProposal();
    if (flight.measured || Double.isNaN(pace)) {
      return;
    }
    flight.measured = true;
    secondsPerProposal = Double.isInfinite(secondsPerProposal) ? pace : 0.5 * secondsPerProposal + 0.5 * pace;
  }

  /**
   * Pauses the partitions while the slots have enough to do, so polls keep the group only.
   *
   * @return whether the slots may take more
   */
  private boolean steer() {
    Set<TopicPartition> assigned = consumer.assignment();
    boolean room = hasRoom();
    if (room) {
      consumer.resume(assigned);
    } else {
      consumer.pause(assigned);
    }
    return room;
  }

  /**
   * Hands a poll's proposals to the slots and returns at once: a batch simulator's slots take a
   * share each, others one proposal at a time. The pool runs flights in the order they came, so
   * the slots go on to the next poll's proposals while this thread commits the last one's results.
   */
  private void launch(ConsumerRecords<String, byte[]> records) {
    Flight flight = new Flight(records, proposalCodec, System.nanoTime());
    flights.add(flight);
    List<Proposal> proposals = flight.all;
    int n = proposals.size();
    int size = simulation.batched() ? Math.max(1, (n + concurrency - 1) / concurrency) : 1;
    int chunks = (n + size - 1) / size;
    int tasks = Math.min(concurrency, chunks);
    flight.started(tasks);
    AtomicInteger next = new AtomicInteger();
    for (int t = 0; t < tasks; t++) {
      pool.execute(() -> {
        Throwable failure = null;
        flight.taskStarted();
        try {
          for (int b = next.getAndIncrement(); b < chunks; b = next.getAndIncrement()) {
            int from = b * size;
            ResilientSimulation.Outcome[] done = simulation.simulate(proposals.subList(from, Math.min(n, from + size)));
            System.arraycopy(done, 0, flight.outcomes, from, done.length);
          }
        } catch (RuntimeException | Error e) {
          failure = e;
        } finally {
          if (flight.finished(failure)) {
            landed.release();
          }
        }
      });
    }
  }

  /**
   * Commits the finished flights at the head of the queue (later ones must wait for earlier ones:
   * the offsets committed cover every record before them) once the oldest is
   * {@link #TRANSACTION_WINDOW} old, nothing else is under way and nothing came, or a circuit
   * opened. A transaction costs a few broker round trips, which would otherwise dominate
   * simulators that take microseconds; the slots meanwhile simulate the flights behind.
   */
  private void commitDue(boolean nothingCame) {
    List<Flight> ready = finished();
    if (ready.isEmpty()) {
      return;
    }
    boolean due = System.nanoTime() - ready.get(0).takenAt >= TRANSACTION_WINDOW.toNanos()
        || (nothingCame && ready.size() == flights.size())
        || ready.stream().anyMatch(Flight::refusedAny);
    if (due) {
      commit(ready);
    }
  }

  /** The flights done at the head of the queue: those that may be committed. */
  private List<Flight> finished() {
    List<Flight> ready = new ArrayList<>();
    for (Flight f : flights) {
      if (!f.done()) {
        break;
      }
      f.throwIfCrashed();
      learn(f);
      ready.add(f);
    }
    return ready;
  }

  /** Takes no more proposals and commits every flight under way, staying in the group meanwhile. */
  private void land() {
    landing = true;
    try {
      while (running.get() && !flights.isEmpty()) {
        steer();
        ConsumerRecords<String, byte[]> stray = consumer.poll(TICK);
        if (!stray.isEmpty()) {
          // From a partition assigned in a race; the open circuit hands its proposals back.
          launch(stray);
        }
        List<Flight> ready = finished();
        if (!ready.isEmpty()) {
          commit(ready);
        }
      }
    } finally {
      landing = false;
    }
  }

  /**
   * Writes the flights' samples and dead letters with the offsets past their records in one
   * transaction, and removes them. Results of partitions a rebalance took away are dropped: the
   * group gives those records to their new owner (or, given back, to this worker again from the
   * committed offset). When the transaction fails every flight under way is dropped, since the
   * later ones lie beyond offsets not committed, and their partitions are read again.
   */
  private void commit(List<Flight> ready) {
    awaitTransactions();
    Set<TopicPartition> assigned = consumer.assignment();
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    long done = 0;
    long deadLettered = 0;
    long written = 0;
    Set<TopicPartition> dropped = new HashSet<>();
    List<Sample> samples = new ArrayList<>();
    List<Proposal> untried = new ArrayList<>();
    try {
      boolean begun = false;
      Acknowledgements acks = new Acknowledgements();
      for (Flight flight : ready) {
        int index = 0;
        for (ConsumerRecord<String, byte[]> record : flight.records) {
          TopicPartition tp = new TopicPartition(record.topic(), record.partition());
          boolean kept = !flight.revoked.contains(tp) && assigned.contains(tp);
          List<Proposal> proposals = flight.proposals.getOrDefault(record, List.of());
          if (!kept) {
            dropped.add(tp);
            index += proposals.size();
            continue;
          }
          if (!begun) {
            producer.beginTransaction();
            begun = true;
          }
          offsets.merge(tp, new OffsetAndMetadata(record.offset() + 1), (a, b) -> a.offset() >= b.offset() ? a : b);
          String reason = flight.malformed.get(record);
          if (reason != null) {
            acks.add(producer.send(deadLetters.letter(record.key(), record.value(), "proposals", reason,
                Map.of("worker", workerId, "offset", record.topic() + "/" + record.partition() + "@" + record.offset()))));
            continue;
          }
          for (int i = 0; i < proposals.size(); i++) {
            ResilientSimulation.Outcome outcome = flight.outcomes[index++];
            if (outcome.refused()) {
              untried.add(outcome.proposal());
              continue;
            }
            outcome.outputs().forEach((step, x) -> samples.add(sample(outcome, step, x)));
            if (outcome.failure() != null) {
              acks.add(producer.send(deadLetter(outcome)));
              deadLettered++;
            } else {
              done++;
            }
          }
        }
      }
      if (!dropped.isEmpty()) {
        LOG.info("worker {}: handing back proposals of {} (partitions reassigned)", workerId, dropped);
      }
      if (!begun) {
        flights.removeAll(ready);
        return;
      }
      // One record per many samples: each record costs an Arrow stream's schema and framing on
      // both sides, which for a vectorised simulator cost more than its samples.
      for (int from = 0; from < samples.size(); from += samplesPerRecord) {
        acks.add(producer.send(new ProducerRecord<>(topics.samples(), workerId,
            sampleCodec.encode(samples.subList(from, Math.min(samples.size(), from + samplesPerRecord))))));
      }
      written = samples.size();
      for (int from = 0; from < untried.size(); from += samplesPerRecord) {
        // Written back rather than left uncommitted, so that the results of the same records are
        // committed with the offsets past them and another worker tries only these.
        List<Proposal> back = untried.subList(from, Math.min(untried.size(), from + samplesPerRecord));
        acks.add(producer.send(new ProducerRecord<>(topics.proposals(), back.get(0).proposalId(),
            proposalCodec.encode(back))));
      }
      if (!untried.isEmpty()) {
        LOG.info("worker {}: circuit breaker open, handing back {} proposals it did not try", workerId, untried.size());
      }
      acks.await("samples and dead letters");
      producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
      producer.commitTransaction();
    } catch (ProducerFencedException | InvalidProducerEpochException | OutOfOrderSequenceException
        | AuthorizationException | UnsupportedVersionException e) {
      throw new IllegalStateException("worker " + workerId + " cannot continue its transactions", e);
    } catch (KafkaException | BrokerException e) {
      LOG.warn("worker {}: transaction aborted, proposals will be redelivered: {}", workerId, e.toString());
      producer.abortTransaction();
      Set<TopicPartition> again = new HashSet<>();
      flights.forEach(f -> again.addAll(f.partitions()));
      flights.clear();
      rewind(again);
      return;
    }
    flights.removeAll(ready);
    simulated.addAndGet(done);
    failed.addAndGet(deadLettered);
    samplesWritten.addAndGet(written);
  }

  private Sample sample(ResilientSimulation.Outcome outcome, int step, float[] x) {
    Proposal p = outcome.proposal();
    return new Sample(simulator.sampleId(p.proposalId(), step), p.runId(), p.round(), p.proposalId(), p.seed(),
        p.theta(), x, workerId, outcome.seconds());
  }

  private ProducerRecord<String, byte[]> deadLetter(ResilientSimulation.Outcome outcome) {
    Proposal p = outcome.proposal();
    SimulationException failure = outcome.failure();
    Map<String, String> context = new LinkedHashMap<>();
    context.put("proposal-id", p.proposalId());
    context.put("worker", workerId);
    context.put("seed", Long.toString(p.seed()));
    context.put("theta", Arrays.toString(p.theta()));
    context.put("failure", failure.kind().label());
    context.put("attempts", Integer.toString(outcome.attempts()));
    context.put("emitted-outputs", Integer.toString(outcome.outputs().size()));
    failure.exitCode().ifPresent(code -> context.put("exit-code", Integer.toString(code)));
    context.put("stderr-tail", failure.stderrTail());
    return deadLetters.letter(p.proposalId(), proposalCodec.encode(List.of(p)), "proposal",
        String.valueOf(failure.getMessage()), context);
  }

  /** Waits until the producer may begin transactions; its start's failure is the worker's. */
  private void awaitTransactions() {
    try {
      transactions.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException cause) {
        throw cause;
      }
      throw e;
    }
  }

  /** Puts the partitions back at their committed offsets, so their proposals are read again. */
  private void rewind(Set<TopicPartition> partitions) {
    Set<TopicPartition> owned = new HashSet<>(partitions);
    owned.retainAll(consumer.assignment());
    if (owned.isEmpty()) {
      return;
    }
    Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(owned);
    for (TopicPartition tp : owned) {
      OffsetAndMetadata offset = committed.get(tp);
      if (offset == null) {
        consumer.seekToBeginning(List.of(tp));
      } else {
        consumer.seek(tp, offset.offset());
      }
    }
  }

  /**
   * Leaves the group while the circuit is open, so other workers take the proposals, and rejoins
   * when the breaker lets a few attempts through again.
   */
  private void standAside() throws InterruptedException {
    CircuitBreaker.Metrics m = simulation.circuitBreaker().getMetrics();
    LOG.warn("worker {}: circuit breaker OPEN ({} of the last {} proposals failed); taking no proposals for {}",
        workerId, m.getNumberOfFailedCalls(), m.getNumberOfBufferedCalls(),
        simulation.circuitBreaker().getCircuitBreakerConfig().getWaitIntervalFunctionInOpenState().apply(1) + " ms");
    consumer.unsubscribe();
    announce("OPEN", m);
    while (running.get() && simulation.circuitBreaker().getState() == CircuitBreaker.State.OPEN) {
      Thread.sleep(POLL.toMillis());
    }
    if (running.get()) {
      LOG.info("worker {}: circuit breaker {}, taking proposals again", workerId, simulation.circuitBreaker().getState());
      announce(simulation.circuitBreaker().getState().name(), simulation.circuitBreaker().getMetrics());
      subscribe();
    }
  }

  private void announce(String state, CircuitBreaker.Metrics m) {
    ObjectNode event = JSON.createObjectNode();
    event.put("worker", workerId);
    event.put("circuit_breaker", state);
    event.put("failure_rate", m.getFailureRate());
    event.put("failed_proposals", m.getNumberOfFailedCalls());
    awaitTransactions();
    try {
      producer.beginTransaction();
      producer.send(new ProducerRecord<>(topics.events(), "worker", JSON.writeValueAsBytes(event))).get();
      producer.commitTransaction();
    } catch (ProducerFencedException | InvalidProducerEpochException e) {
      throw new IllegalStateException("worker " + workerId + " cannot continue its transactions", e);
    } catch (Exception e) {
      LOG.warn("worker {}: could not announce circuit state {}: {}", workerId, state, e.toString());
      try {
        producer.abortTransaction();
      } catch (KafkaException ignored) {
        // nothing was begun, or the abort itself failed: the next transaction starts clean
      }
    }
  }

  public String workerId() {
    return workerId;
  }

  /** Proposals this worker simulated successfully and committed. */
  public long simulated() {
    return simulated.get();
  }

  /** Proposals this worker set aside as dead letters and committed. */
  public long failed() {
    return failed.get();
  }

  /** Samples this worker committed (a streaming solver writes several per proposal). */
  public long samplesWritten() {
    return samplesWritten.get();
  }

  /** The state of this worker's circuit breaker: CLOSED, OPEN or HALF_OPEN. */
  public String circuitState() {
    return simulation.circuitBreaker().getState().name();
  }

  /** Stops after the current poll; uncommitted proposals go to another worker. */
  @Override
  public void close() {
    if (running.compareAndSet(true, false)) {
      consumer.wakeup();
      LOG.debug("worker {} stopping", workerId);
    }
  }
}

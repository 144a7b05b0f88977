package org.streamsbi.simulator;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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
 * do not outlive the transaction timeout; while they run the worker keeps polling with its
 * partitions paused to stay in the group. A worker that dies hands its uncommitted proposals to
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
  private static final Duration WAIT = Duration.ofMillis(50);
  private static final Duration TRANSACTION_WINDOW = Duration.ofMillis(200);

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
  private final Set<TopicPartition> revokedDuringPoll = new HashSet<>();
  private boolean busy;

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
    // A poll is committed as one transaction once all of it is simulated: take only as many
    // records as run at once (each holds a proposal at least; a batch simulator fills its batches),
    // so a slow simulation delays, and a crash loses, little other work.
    // Cooperative rebalancing revokes only the partitions that move: with the eager default every
    // join or leave (each circuit that opens or half-opens) revoked every worker's partitions and
    // so discarded every batch in flight, and workers whose circuits kept opening discarded each
    // other's dead letters for ever.
    this.consumer =
        clients.consumer(topics.workerGroup(), workerId, Map.of(
            ConsumerConfig.MAX_POLL_RECORDS_CONFIG, concurrency * simulation.batchSize(),
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
      producer.initTransactions();
      subscribe();
      while (running.get()) {
        if (simulation.circuitBreaker().getState() == CircuitBreaker.State.OPEN) {
          standAside();
          continue;
        }
        ConsumerRecords<String, byte[]> records = consumer.poll(POLL);
        if (!records.isEmpty()) {
          process(records);
        }
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
            if (busy) {
              revokedDuringPoll.addAll(partitions);
            }
          }

          @Override
          public void onPartitionsLost(Collection<TopicPartition> partitions) {
            onPartitionsRevoked(partitions);
          }

          @Override
          public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            if (busy) {
              consumer.pause(partitions);
            }
          }
        });
  }

  /**
   * Simulates a poll's proposals and commits their results with the offsets; those of partitions
   * a rebalance took away are handed back.
   * While simulations are quick, further polls join the same transaction until it has taken
   * {@link #TRANSACTION_WINDOW}: a transaction costs a few broker round trips, which would
   * otherwise dominate simulators that take microseconds.
   */
  private void process(ConsumerRecords<String, byte[]> first) throws InterruptedException {
    Taken taken = new Taken();
    long started = System.nanoTime();
    busy = true;
    revokedDuringPoll.clear();
    try {
      ConsumerRecords<String, byte[]> next = first;
      do {
        List<Proposal> proposals = taken.add(next, proposalCodec);
        consumer.pause(consumer.assignment());
        ResilientSimulation.Outcome[] outcomes = simulateAll(proposals);
        taken.outcomes.addAll(Arrays.asList(outcomes));
        consumer.resume(consumer.assignment());
        if (taken.outcomes.stream().anyMatch(ResilientSimulation.Outcome::refused)
            || System.nanoTime() - started > TRANSACTION_WINDOW.toNanos()) {
          break;
        }
        next = consumer.poll(Duration.ZERO);
      } while (!next.isEmpty());
    } finally {
      busy = false;
      consumer.resume(consumer.assignment());
    }
    Set<TopicPartition> keep = new HashSet<>();
    for (TopicPartition tp : taken.partitions()) {
      if (!revokedDuringPoll.contains(tp) && consumer.assignment().contains(tp)) {
        keep.add(tp);
      }
    }
    if (keep.size() < taken.partitions().size()) {
      LOG.info("worker {}: handing back proposals of {} (partitions reassigned)", workerId,
          taken.partitions().stream().filter(tp -> !keep.contains(tp)).toList());
    }
    commit(taken, keep);
  }

  /** The records of one transaction, their proposals in order, and how each proposal ended. */
  private static final class Taken {
    final List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
    final Map<ConsumerRecord<String, byte[]>, List<Proposal>> proposals = new HashMap<>();
    final Map<ConsumerRecord<String, byte[]>, String> malformed = new HashMap<>();
    final List<ResilientSimulation.Outcome> outcomes = new ArrayList<>();

    /** Adds a poll's records and returns their proposals, to be simulated in this order. */
    List<Proposal> add(ConsumerRecords<String, byte[]> polled, ProposalCodec codec) {
      List<Proposal> out = new ArrayList<>();
      for (ConsumerRecord<String, byte[]> record : polled) {
        records.add(record);
        try {
          List<Proposal> decoded = codec.decode(record.value());
          proposals.put(record, decoded);
          out.addAll(decoded);
        } catch (MalformedBatchException e) {
          malformed.put(record, "malformed proposal batch: " + e.getMessage());
        }
      }
      return out;
    }

    Set<TopicPartition> partitions() {
      Set<TopicPartition> out = new HashSet<>();
      records.forEach(r -> out.add(new TopicPartition(r.topic(), r.partition())));
      return out;
    }

    /** For each partition, the offset after its last record here. */
    Map<TopicPartition, OffsetAndMetadata> offsets(Set<TopicPartition> of) {
      Map<TopicPartition, OffsetAndMetadata> out = new HashMap<>();
      for (ConsumerRecord<String, byte[]> r : records) {
        TopicPartition tp = new TopicPartition(r.topic(), r.partition());
        if (of.contains(tp)) {
          out.merge(tp, new OffsetAndMetadata(r.offset() + 1), (a, b) -> a.offset() >= b.offset() ? a : b);
        }
      }
      return out;
    }
  }

  /**
   * Runs the proposals on the pool while polling with paused partitions, to stay in the group; a
   * batch simulator's slots get a share each.
   */
  private ResilientSimulation.Outcome[] simulateAll(List<Proposal> proposals) throws InterruptedException {
    ResilientSimulation.Outcome[] outcomes = new ResilientSimulation.Outcome[proposals.size()];
    int size = simulation.batched() ? Math.max(1, (proposals.size() + concurrency - 1) / concurrency) : 1;
    int batches = (proposals.size() + size - 1) / size;
    AtomicInteger next = new AtomicInteger();
    List<Future<?>> tasks = new ArrayList<>();
    for (int t = 0; t < Math.min(concurrency, batches); t++) {
      tasks.add(
          pool.submit(
              () -> {
                for (int b = next.getAndIncrement(); b < batches; b = next.getAndIncrement()) {
                  int from = b * size;
                  ResilientSimulation.Outcome[] done =
                      simulation.simulate(proposals.subList(from, Math.min(outcomes.length, from + size)));
                  System.arraycopy(done, 0, outcomes, from, done.length);
                }
              }));
    }
    for (Future<?> task : tasks) {
      while (true) {
        try {
          task.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
          break;
        } catch (TimeoutException e) {
          stayInGroup();
        } catch (ExecutionException e) {
          throw new IllegalStateException("simulation task failed unexpectedly", e.getCause());
        }
      }
    }
    return outcomes;
  }

  private void stayInGroup() {
    ConsumerRecords<String, byte[]> stray = consumer.poll(Duration.ZERO);
    // Partitions are paused, so records arrive only from one assigned in a race; read them again later.
    for (TopicPartition tp : stray.partitions()) {
      consumer.seek(tp, stray.records(tp).get(0).offset());
      consumer.pause(List.of(tp));
    }
  }

  private void commit(Taken taken, Set<TopicPartition> keep) {
    Map<TopicPartition, OffsetAndMetadata> offsets = taken.offsets(keep);
    if (offsets.isEmpty()) {
      rewind(taken.partitions());
      return;
    }
    long done = 0;
    long deadLettered = 0;
    long written = 0;
    List<Proposal> untried = new ArrayList<>();
    try {
      producer.beginTransaction();
      Acknowledgements acks = new Acknowledgements();
      int index = 0;
      for (ConsumerRecord<String, byte[]> record : taken.records) {
        boolean kept = keep.contains(new TopicPartition(record.topic(), record.partition()));
        String reason = taken.malformed.get(record);
        if (reason != null) {
          if (kept) {
            acks.add(producer.send(deadLetters.letter(record.key(), record.value(), "proposals", reason,
                Map.of("worker", workerId, "offset", record.topic() + "/" + record.partition() + "@" + record.offset()))));
          }
          continue;
        }
        List<Sample> samples = new ArrayList<>();
        for (int i = 0; i < taken.proposals.get(record).size(); i++) {
          ResilientSimulation.Outcome outcome = taken.outcomes.get(index++);
          if (!kept) {
            continue;
          }
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
        if (!samples.isEmpty()) {
          acks.add(producer.send(new ProducerRecord<>(topics.samples(), workerId, sampleCodec.encode(samples))));
          written += samples.size();
        }
      }
      if (!untried.isEmpty()) {
        // Written back rather than left uncommitted, so that the results of the same records are
        // committed with the offsets past them and another worker tries only these.
        acks.add(producer.send(new ProducerRecord<>(topics.proposals(), untried.get(0).proposalId(),
            proposalCodec.encode(untried))));
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
      rewind(taken.partitions());
      return;
    }
    simulated.addAndGet(done);
    failed.addAndGet(deadLettered);
    samplesWritten.addAndGet(written);
    for (Map.Entry<TopicPartition, OffsetAndMetadata> e : offsets.entrySet()) {
      consumer.seek(e.getKey(), e.getValue().offset());
    }
    Set<TopicPartition> handedBack = taken.partitions();
    handedBack.removeAll(keep);
    rewind(handedBack);
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

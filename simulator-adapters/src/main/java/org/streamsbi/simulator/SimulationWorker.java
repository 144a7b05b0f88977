package org.streamsbi.simulator;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.WakeupException;
import org.streamsbi.broker.Acknowledgements;
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
 * and writes the samples back in Arrow batches.
 *
 * <p>Offsets are committed only after every sample and dead letter of a poll is acknowledged, so
 * a worker that dies hands its unfinished proposals to another member of the group. Redelivered
 * proposals produce samples with the same id, which the buffer drops.
 */
public final class SimulationWorker implements Runnable, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SimulationWorker.class);
  private static final Duration POLL = Duration.ofMillis(200);

  private final String workerId;
  private final RunTopics topics;
  private final Simulator simulator;
  private final ProposalCodec proposalCodec;
  private final SampleCodec sampleCodec;
  private final KafkaConsumer<String, byte[]> consumer;
  private final KafkaProducer<String, byte[]> producer;
  private final DeadLetters deadLetters;
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final AtomicLong simulated = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();

  public SimulationWorker(String workerId, KafkaClients clients, RunTopics topics, Simulator simulator) {
    this.workerId = workerId;
    this.topics = topics;
    this.simulator = simulator;
    this.proposalCodec = new ProposalCodec(simulator.thetaDimension());
    this.sampleCodec = new SampleCodec(simulator.thetaDimension(), simulator.xDimension());
    this.consumer = clients.consumer(topics.workerGroup(), workerId);
    this.producer = clients.producer(workerId);
    this.deadLetters = new DeadLetters(producer, topics);
  }

  @Override
  public void run() {
    try {
      consumer.subscribe(List.of(topics.proposals()));
      while (running.get()) {
        ConsumerRecords<String, byte[]> records = consumer.poll(POLL);
        if (records.isEmpty()) {
          continue;
        }
        Acknowledgements acks = new Acknowledgements();
        for (ConsumerRecord<String, byte[]> record : records) {
          handle(record, acks);
        }
        acks.await("samples");
        commit();
      }
    } catch (WakeupException e) {
      if (running.get()) {
        throw e;
      }
    } finally {
      consumer.close();
      producer.close();
    }
  }

  /**
   * A rebalance can void the commit; the records then go to another worker and their samples
   * arrive twice with the same ids, which the buffer drops.
   */
  private void commit() {
    try {
      consumer.commitSync();
    } catch (CommitFailedException | RebalanceInProgressException e) {
      LOG.info("worker {}: commit lost to a rebalance, proposals will be redelivered", workerId);
    }
  }

  private void handle(ConsumerRecord<String, byte[]> record, Acknowledgements acks) {
    List<Proposal> proposals;
    try {
      proposals = proposalCodec.decode(record.value());
    } catch (MalformedBatchException e) {
      deadLetters.send(
          record.key(),
          record.value(),
          "proposals",
          "malformed proposal batch: " + e.getMessage(),
          Map.of("worker", workerId, "offset", topics.proposals() + "/" + record.partition() + "@" + record.offset()));
      return;
    }
    List<Sample> samples = new ArrayList<>(proposals.size());
    for (Proposal proposal : proposals) {
      Sample sample = simulate(proposal);
      if (sample != null) {
        samples.add(sample);
      }
    }
    if (!samples.isEmpty()) {
      acks.add(producer.send(new ProducerRecord<>(topics.samples(), workerId, sampleCodec.encode(samples))));
    }
  }

  private Sample simulate(Proposal proposal) {
    long start = System.nanoTime();
    String failure;
    try {
      float[] x = simulator.simulate(proposal.theta(), proposal.seed());
      if (x.length != simulator.xDimension()) {
        failure = "simulator returned " + x.length + " values, expected " + simulator.xDimension();
      } else {
        simulated.incrementAndGet();
        return Sample.of(proposal, x, workerId, (System.nanoTime() - start) / 1e9);
      }
    } catch (SimulationException e) {
      failure = e.getMessage();
    }
    failed.incrementAndGet();
    deadLetters.send(
        proposal.proposalId(),
        proposalCodec.encode(List.of(proposal)),
        "proposal",
        failure,
        Map.of(
            "proposal-id", proposal.proposalId(),
            "worker", workerId,
            "seed", Long.toString(proposal.seed()),
            "theta", Arrays.toString(proposal.theta())));
    return null;
  }

  public String workerId() {
    return workerId;
  }

  /** Proposals simulated successfully by this worker. */
  public long simulated() {
    return simulated.get();
  }

  /** Proposals this worker set aside as dead letters. */
  public long failed() {
    return failed.get();
  }

  /** Stops after the current poll; unacknowledged proposals go to another worker. */
  @Override
  public void close() {
    if (running.compareAndSet(true, false)) {
      consumer.wakeup();
      LOG.debug("worker {} stopping", workerId);
    }
  }
}

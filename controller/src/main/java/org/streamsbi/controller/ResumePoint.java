package org.streamsbi.controller;

import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.streamsbi.broker.BrokerException;
import org.streamsbi.broker.KafkaClients;
import org.streamsbi.broker.RunTopics;
import org.streamsbi.core.Proposal;
import org.streamsbi.core.arrow.MalformedBatchException;
import org.streamsbi.core.arrow.ProposalCodec;

/**
 * Where a run that stopped part-way stands, as its proposals topic holds it: the proposals it
 * issued (so that none is issued twice, and the answers to them are admitted) and the round it
 * was in, read up to the topic's end when the resume starts. Which of them were answered the
 * ledger and the buffer read from the samples and dead-letter topics as they always do.
 */
final class ResumePoint {
  private static final Duration POLL = Duration.ofMillis(200);
  private static final Duration READ_LIMIT = Duration.ofMinutes(5);

  private final Map<String, Proposal> issued = new LinkedHashMap<>();

  private ResumePoint() {}

  /** A run that starts from nothing. */
  static ResumePoint none() {
    return new ResumePoint();
  }

  /**
   * @throws IllegalArgumentException when the topics hold proposals of another width, more than
   *     the budget, or of a round past the run's last
   */
  static ResumePoint read(KafkaClients clients, RunTopics topics, RunConfig config, int thetaDimension) {
    ResumePoint point = new ResumePoint();
    ProposalCodec proposals = new ProposalCodec(thetaDimension);
    readToEnd(clients, topics.proposals(), topics.run() + "-resume", r -> {
      try {
        proposals.decode(r.value()).forEach(p -> point.issued.putIfAbsent(p.proposalId(), p));
      } catch (MalformedBatchException e) {
        throw new IllegalArgumentException("topic " + topics.proposals() + " holds proposals this run cannot read"
            + " (another θ width than the prior's " + thetaDimension + "?): " + e.getMessage(), e);
      }
    });
    point.check(topics, config);
    return point;
  }

  private void check(RunTopics topics, RunConfig config) {
    if (issued.size() > config.simulations()) {
      throw new IllegalArgumentException("run " + topics.run() + " issued " + issued.size()
          + " proposals, more than this run's budget of " + config.simulations() + " simulations");
    }
    if (round() > config.rounds()) {
      throw new IllegalArgumentException("run " + topics.run() + " reached round " + round()
          + " but this run has " + config.rounds() + " round(s)");
    }
  }

  private static void readToEnd(KafkaClients clients, String topic, String clientId,
      Consumer<ConsumerRecord<String, byte[]>> handler) {
    try (KafkaConsumer<String, byte[]> consumer = clients.reader(clientId)) {
      List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
          .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
      long deadline = System.nanoTime() + READ_LIMIT.toNanos();
      while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p))) {
        if (System.nanoTime() > deadline) {
          throw new BrokerException("reading topic " + topic + " to its end took longer than " + READ_LIMIT);
        }
        consumer.poll(POLL).forEach(handler);
      }
    }
  }

  /** The proposals issued, each once, in the order they were first written. */
  Collection<Proposal> issued() {
    return issued.values();
  }

  /** Proposals issued in {@code round}. */
  int issued(int round) {
    return (int) issued.values().stream().filter(p -> p.round() == round).count();
  }

  /** The round of the latest proposals issued; 1 before any. */
  int round() {
    return issued.values().stream().mapToInt(Proposal::round).max().orElse(1);
  }

  boolean resumed() {
    return !issued.isEmpty();
  }
}

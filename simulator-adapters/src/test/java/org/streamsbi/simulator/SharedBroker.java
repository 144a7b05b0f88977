package org.streamsbi.simulator;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.streamsbi.broker.Acknowledgements;
import org.streamsbi.broker.EmbeddedKafkaBroker;
import org.streamsbi.broker.KafkaClients;
import org.streamsbi.broker.RunTopics;
import org.streamsbi.broker.TopicProvisioner;
import org.streamsbi.core.Proposal;
import org.streamsbi.core.arrow.ProposalCodec;

/**
 * One embedded broker for every Kafka test of this module (a start costs seconds); each test uses
 * its own run, so its own topics.
 */
final class SharedBroker {
  private static EmbeddedKafkaBroker broker;

  private SharedBroker() {}

  static synchronized String bootstrapServers() {
    if (broker == null) {
      try {
        Path dir = Files.createTempDirectory("streamsbi-simulator-tests");
        broker = EmbeddedKafkaBroker.start(dir);
        Runtime.getRuntime().addShutdownHook(new Thread(broker::close));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return broker.bootstrapServers();
  }

  /**
   * Clients whose group members are noticed gone within seconds and whose transactions of a dead
   * worker time out quickly, so that failure tests finish fast.
   */
  static KafkaClients clients() {
    return new KafkaClients(
        bootstrapServers(),
        Map.of("session.timeout.ms", 6000, "heartbeat.interval.ms", 1000, "transaction.timeout.ms", 10000));
  }

  static RunTopics provision(String run, int partitions) {
    RunTopics topics = new RunTopics(run);
    try (Admin admin = new KafkaClients(bootstrapServers()).admin()) {
      new TopicProvisioner(admin, Duration.ofSeconds(60)).provision(topics, partitions);
    }
    return topics;
  }

  static void publish(RunTopics topics, List<Proposal> proposals, int perMessage) {
    ProposalCodec codec = new ProposalCodec(proposals.get(0).theta().length);
    try (KafkaProducer<String, byte[]> producer = new KafkaClients(bootstrapServers()).producer("test-controller")) {
      Acknowledgements acks = new Acknowledgements();
      for (int from = 0; from < proposals.size(); from += perMessage) {
        List<Proposal> batch = new ArrayList<>(proposals.subList(from, Math.min(proposals.size(), from + perMessage)));
        acks.add(producer.send(new ProducerRecord<>(topics.proposals(), batch.get(0).proposalId(), codec.encode(batch))));
      }
      acks.await("proposals");
    }
  }
}

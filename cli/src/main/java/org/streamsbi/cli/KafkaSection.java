package org.streamsbi.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.streamsbi.broker.BrokerHealthConfig;
import org.streamsbi.controller.RunConfig;

/**
 * The {@code kafka} section of a run file mapped onto the run's config: the external cluster and
 * its client settings, how long to wait for it when it stops answering ({@link
 * BrokerHealthConfig}), or the embedded broker's directory; and the topics' partitions.
 */
final class KafkaSection {
  private KafkaSection() {}

  static void apply(RunPlan.Fields f, RunFile.Kafka kafka, Path baseDirectory, Path out, RunConfig.Builder builder) {
    RunFile.Kafka k = kafka == null ? new RunFile.Kafka(null, null, null, null, null, null) : kafka;
    if (k.bootstrapServers() != null) {
      if (k.bootstrapServers().isBlank()) {
        throw f.invalid("kafka.bootstrap_servers", "must name HOST:PORT[,HOST:PORT...], got an empty value");
      }
      builder.bootstrapServers(k.bootstrapServers());
    } else if (k.properties() != null && !k.properties().isEmpty()) {
      throw f.invalid("kafka.properties", "apply to an external cluster: give kafka.bootstrap_servers too");
    }
    if (k.properties() != null) {
      Set<String> known = new HashSet<>(ProducerConfig.configNames());
      known.addAll(ConsumerConfig.configNames());
      known.addAll(AdminClientConfig.configNames());
      k.properties().forEach((key, value) -> {
        if (!known.contains(key)) {
          throw f.invalid("kafka.properties." + key, "not a Kafka producer, consumer or admin client setting");
        }
        if (value == null) {
          throw f.invalid("kafka.properties." + key, "has no value");
        }
      });
      builder.clientProperties(k.properties());
    }
    if (k.outageLimitSeconds() != null) {
      double seconds = k.outageLimitSeconds();
      if (!Double.isFinite(seconds)) {
        throw f.invalid("kafka.outage_limit_seconds", "must be a finite number of seconds, got " + seconds);
      }
      builder.brokerHealth(f.guard("kafka.outage_limit_seconds",
          () -> BrokerHealthConfig.withOutageLimit(Duration.ofMillis(Math.round(seconds * 1000)))));
    }
    Path kafkaDirectory = f.path(baseDirectory, k.dataDirectory());
    if (kafkaDirectory != null) {
      f.guard("kafka.data_directory", () -> OutputDirectory.check(kafkaDirectory));
    }
    builder.brokerDirectory(kafkaDirectory != null ? kafkaDirectory : out.resolve("kafka"))
        .partitions(f.atLeast("kafka.partitions", k.partitions(), 4, 1))
        .proposalsPerMessage(f.atLeast("kafka.proposals_per_message", k.proposalsPerMessage(), 100, 1));
  }
}

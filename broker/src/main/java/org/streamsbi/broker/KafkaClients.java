package org.streamsbi.broker;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Makes the Kafka clients every module uses, for the embedded broker or an external cluster.
 * Settings given here (security, SASL, TLS) pass through to every client.
 */
public final class KafkaClients {
  private final String bootstrapServers;
  private final Map<String, Object> common;

  /**
   * @param bootstrapServers host:port list of the cluster
   * @param overrides client settings applied to every client, after the defaults
   */
  public KafkaClients(String bootstrapServers, Map<String, Object> overrides) {
    if (bootstrapServers == null || bootstrapServers.isBlank()) {
      throw new IllegalArgumentException("bootstrap servers must not be empty");
    }
    this.bootstrapServers = bootstrapServers;
    this.common = Map.copyOf(overrides);
  }

  public KafkaClients(String bootstrapServers) {
    this(bootstrapServers, Map.of());
  }

  public String bootstrapServers() {
    return bootstrapServers;
  }

  /**
   * An idempotent producer of byte values: acks from all replicas, a short linger so batches fill
   * without a busy broker (linger 0 costs most of a core on the broker).
   */
  public KafkaProducer<String, byte[]> producer(String clientId) {
    Map<String, Object> props = producerDefaults(clientId);
    props.putAll(common);
    return new KafkaProducer<>(props);
  }

  /**
   * A transactional producer for consume-transform-produce: its writes and the consumer offsets
   * sent with them become visible to read_committed readers together, or not at all. Call
   * {@code initTransactions()} before use.
   *
   * @param transactionalId unique per live producer; a second producer with the same id fences
   *     the first
   */
  public KafkaProducer<String, byte[]> transactionalProducer(String clientId, String transactionalId) {
    Map<String, Object> props = producerDefaults(clientId);
    props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
    // A transaction here spans writing results, never the work: a dead writer's open
    // transaction should block read_committed readers for seconds, not the default minute.
    props.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 15_000);
    props.putAll(common);
    return new KafkaProducer<>(props);
  }

  private Map<String, Object> producerDefaults(String clientId) {
    Map<String, Object> props = new HashMap<>();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    props.put(ProducerConfig.BATCH_SIZE_CONFIG, 128 * 1024);
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    return props;
  }

  /**
   * A consumer in a group that commits offsets itself and reads only committed transactional
   * data, starting from the beginning of a topic it has never read.
   */
  public KafkaConsumer<String, byte[]> consumer(String groupId, String clientId) {
    return consumer(groupId, clientId, Map.of());
  }

  /** As {@link #consumer(String, String)}, with settings of the caller's own before the common ones. */
  public KafkaConsumer<String, byte[]> consumer(String groupId, String clientId, Map<String, Object> settings) {
    Map<String, Object> props = consumerDefaults(clientId);
    props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.putAll(settings);
    props.putAll(common);
    return new KafkaConsumer<>(props);
  }

  private Map<String, Object> consumerDefaults(String clientId) {
    Map<String, Object> props = new HashMap<>();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    return props;
  }

  /** A consumer outside any group, for readers that assign partitions and commit nothing. */
  public KafkaConsumer<String, byte[]> reader(String clientId) {
    Map<String, Object> props = consumerDefaults(clientId);
    props.putAll(common);
    return new KafkaConsumer<>(props);
  }

  public Admin admin() {
    Map<String, Object> props = new HashMap<>();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.putAll(common);
    return Admin.create(props);
  }
}

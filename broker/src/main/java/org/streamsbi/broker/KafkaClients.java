package org.streamsbi.broker;

import java.time.Duration;
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
  /** A request in flight when the limit passes gets this long on top, as long as one may take by default. */
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
  /** Long enough for a first send to fetch its topic's metadata from a cluster that answers. */
  private static final long SNAPSHOT_BLOCK_MS = 500;

  private final String bootstrapServers;
  private final Map<String, Object> common;
  /** How long a producer call may block and a send stay unacknowledged; empty for Kafka's defaults. */
  private final Map<String, Object> producerTimeouts;
  /** How long a consumer or admin call may block; empty for Kafka's default. */
  private final Map<String, Object> apiTimeouts;

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
    this.producerTimeouts = Map.of();
    this.apiTimeouts = Map.of();
  }

  private KafkaClients(KafkaClients clients, Map<String, Object> producerTimeouts, Map<String, Object> apiTimeouts) {
    this.bootstrapServers = clients.bootstrapServers;
    this.common = clients.common;
    this.producerTimeouts = producerTimeouts;
    this.apiTimeouts = apiTimeouts;
  }

  /**
   * The same clients with every timeout that would make a call or a send fail while the cluster is
   * away raised above {@code outage} (never below Kafka's defaults): sends, transactions, metadata
   * and offset lookups then wait for a broker that comes back within it instead of failing part-way.
   * Settings given to the constructor still win.
   */
  public KafkaClients waitingUpTo(Duration outage) {
    long millis = outage.plus(REQUEST_TIMEOUT).toMillis();
    int api = atLeast(60_000, millis);
    return new KafkaClients(this,
        Map.of(ProducerConfig.MAX_BLOCK_MS_CONFIG, (long) api,
            ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, atLeast(120_000, millis)),
        Map.of(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, api));
  }

  private static int atLeast(int kafkaDefault, long millis) {
    return (int) Math.min(Integer.MAX_VALUE, Math.max(kafkaDefault, millis));
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
   * A producer for snapshots, such as progress reports, whose caller must never wait for the
   * cluster: a send blocks at most {@value #SNAPSHOT_BLOCK_MS} ms for metadata or buffer space, and
   * otherwise fails in its future. A snapshot lost while the cluster is away is replaced by the next.
   */
  public KafkaProducer<String, byte[]> snapshotProducer(String clientId) {
    Map<String, Object> props = producerDefaults(clientId);
    props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, SNAPSHOT_BLOCK_MS);
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

  Map<String, Object> producerDefaults(String clientId) {
    Map<String, Object> props = new HashMap<>();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    props.put(ProducerConfig.BATCH_SIZE_CONFIG, 128 * 1024);
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    props.putAll(producerTimeouts);
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

  Map<String, Object> consumerDefaults(String clientId) {
    Map<String, Object> props = new HashMap<>();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    props.putAll(apiTimeouts);
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
    props.putAll(apiTimeouts);
    props.putAll(common);
    return Admin.create(props);
  }
}

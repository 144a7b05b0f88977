package org.streamsbi.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BrokerHealthTest {

  @TempDir Path dir;

  @Test
  void aStoppedBrokerIsWaitedForUntilTheLimitAndAnsweredAgainOnTheSamePortAfterARestart() throws Exception {
    EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(dir);
    String servers = broker.bootstrapServers();
    try (BrokerHealth health = BrokerHealth.watch(new KafkaClients(servers),
        new BrokerHealthConfig(Duration.ofSeconds(2), Duration.ofMillis(200)))) {
      await(() -> health.state() == BrokerHealth.State.CONNECTED, "connected at start");
      assertEquals(Duration.ZERO, health.silence());
      broker.close();
      await(() -> health.state() == BrokerHealth.State.WAITING, "waiting once the broker is gone");
      await(() -> health.state() == BrokerHealth.State.LOST, "lost past the limit");
      assertTrue(health.silence().compareTo(Duration.ofSeconds(2)) > 0, "silent for " + health.silence());
      broker = broker.restart();
      assertEquals(servers, broker.bootstrapServers(), "the same address");
      await(() -> health.state() == BrokerHealth.State.CONNECTED, "connected after the restart");
      // The restarted broker is the same cluster: the topic made before the outage takes writes.
      KafkaClients clients = new KafkaClients(servers);
      try (var admin = clients.admin()) {
        new TopicProvisioner(admin, Duration.ofSeconds(30)).create(Map.of("kept", 1));
      }
    } finally {
      broker.close();
    }
  }

  @Test
  void clientsWaitingUpToAnOutageRaiseTheirTimeoutsAboveItAndNeverBelowKafkasDefaults() {
    KafkaClients clients = new KafkaClients("127.0.0.1:9");
    Map<String, Object> longWait = clients.waitingUpTo(Duration.ofMinutes(5)).producerDefaults("long");
    assertEquals(330_000, longWait.get(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG));
    assertEquals(330_000L, longWait.get(ProducerConfig.MAX_BLOCK_MS_CONFIG));
    assertEquals(330_000, clients.waitingUpTo(Duration.ofMinutes(5)).consumerDefaults("c")
        .get(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG));
    Map<String, Object> shortWait = clients.waitingUpTo(Duration.ofSeconds(3)).producerDefaults("short");
    assertEquals(120_000, shortWait.get(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG));
    assertEquals(60_000L, shortWait.get(ProducerConfig.MAX_BLOCK_MS_CONFIG));
    assertTrue(!clients.producerDefaults("plain").containsKey(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG),
        "Kafka's own defaults without a limit");
  }

  @Test
  void theConfigRefusesALimitOutOfRangeNamingTheField() {
    IllegalArgumentException zero = assertThrows(IllegalArgumentException.class,
        () -> BrokerHealthConfig.withOutageLimit(Duration.ZERO));
    assertTrue(zero.getMessage().startsWith("outageLimit must be positive"), zero.getMessage());
    IllegalArgumentException huge = assertThrows(IllegalArgumentException.class,
        () -> BrokerHealthConfig.withOutageLimit(Duration.ofDays(2)));
    assertTrue(huge.getMessage().contains("at most a day"), huge.getMessage());
    IllegalArgumentException probe = assertThrows(IllegalArgumentException.class,
        () -> new BrokerHealthConfig(Duration.ofSeconds(1), Duration.ofSeconds(1)));
    assertTrue(probe.getMessage().startsWith("probeInterval"), probe.getMessage());
    assertEquals(Duration.ofMillis(300), BrokerHealthConfig.withOutageLimit(Duration.ofSeconds(3)).probeInterval());
    assertEquals(Duration.ofMinutes(5), BrokerHealthConfig.ofDefaults().outageLimit());
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!condition.getAsBoolean()) {
      assertTrue(System.nanoTime() < deadline, "never " + what);
      Thread.sleep(50);
    }
  }
}

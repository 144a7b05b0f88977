package org.streamsbi.controller;

import java.math.BigDecimal;
import org.streamsbi.broker.BrokerHealth;
import org.streamsbi.broker.BrokerHealthConfig;
import org.streamsbi.broker.KafkaClients;

/**
 * A run's view of its cluster going away: what progress reports say while the run waits for it,
 * and the failure that ends the run once it has been silent for longer than the outage limit.
 * While it waits nothing is given up: the clients hold their sends and transactions (their
 * timeouts are raised above the limit), workers hold their proposals, and training goes on with
 * the buffer it has.
 */
final class BrokerOutage implements AutoCloseable {
  private final BrokerHealth health;
  private final String servers;

  BrokerOutage(KafkaClients clients, BrokerHealthConfig config) {
    this.health = BrokerHealth.watch(clients, config);
    this.servers = clients.bootstrapServers();
  }

  boolean lost() {
    return health.state() == BrokerHealth.State.LOST;
  }

  /** Why a lost cluster stopped the run, with the limit that ran out. */
  String reason() {
    return "the Kafka broker at " + servers + " has not answered for " + health.silence().toSeconds()
        + " s, longer than the broker outage limit of " + BigDecimal.valueOf(seconds()).stripTrailingZeros().toPlainString()
        + " s (RunConfig.brokerHealth, "
        + "kafka.outage_limit_seconds in a run file): the run stops. What was committed stays in the run's "
        + "topics, and the proposals without a result stay issued: resume the run once the broker is back";
  }

  RunProgress.Broker status() {
    return new RunProgress.Broker(health.state(), health.silence().toMillis() / 1e3, seconds());
  }

  private double seconds() {
    return health.config().outageLimit().toMillis() / 1e3;
  }

  @Override
  public void close() {
    health.close();
  }
}

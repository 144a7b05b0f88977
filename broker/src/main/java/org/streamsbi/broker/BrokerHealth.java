package org.streamsbi.broker;

import java.time.Duration;

/**
 * Whether the cluster answers, as a run sees it: connected, waiting for it to come back, or lost
 * once it has been silent for longer than {@link BrokerHealthConfig#outageLimit()}.
 */
public interface BrokerHealth extends AutoCloseable {

  /** What the run knows of its cluster. */
  enum State {
    /** The latest probe was answered. */
    CONNECTED,
    /** Unanswered since {@link #silence()}, within the limit: clients hold their work and retry. */
    WAITING,
    /** Unanswered for longer than the limit. */
    LOST
  }

  State state();

  /** How long the cluster has not answered: zero while it answers. */
  Duration silence();

  BrokerHealthConfig config();

  /** Stops probing. */
  @Override
  void close();

  /**
   * Probes the cluster of {@code clients} on a daemon thread, with an Admin client of its own,
   * until closed.
   */
  static BrokerHealth watch(KafkaClients clients, BrokerHealthConfig config) {
    ClusterProbe probe = new ClusterProbe(clients, config);
    probe.start();
    return probe;
  }
}

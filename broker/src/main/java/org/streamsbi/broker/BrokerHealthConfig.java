package org.streamsbi.broker;

import java.time.Duration;

/**
 * How long a run waits for a broker that stopped answering, and how often it asks.
 *
 * @param outageLimit how long the cluster may go unanswered before the run stops; the clients'
 *     own timeouts are raised above it ({@link KafkaClients#waitingUpTo(Duration)}) so that none
 *     of them gives up first
 * @param probeInterval time between two probes, and the longest a probe waits for its answer
 */
public record BrokerHealthConfig(Duration outageLimit, Duration probeInterval) {
  /** Long enough for a broker's restart or a leader election, short enough that a lost cluster is noticed. */
  public static final Duration DEFAULT_OUTAGE_LIMIT = Duration.ofMinutes(5);
  public static final Duration DEFAULT_PROBE_INTERVAL = Duration.ofSeconds(1);
  /** Client timeouts are raised above the limit, and Kafka holds them in int milliseconds. */
  public static final Duration MAX_OUTAGE_LIMIT = Duration.ofDays(1);

  public BrokerHealthConfig {
    if (outageLimit == null || outageLimit.isNegative() || outageLimit.isZero()
        || outageLimit.compareTo(MAX_OUTAGE_LIMIT) > 0) {
      throw new IllegalArgumentException(
          "outageLimit must be positive and at most a day (86400 s), got " + seconds(outageLimit));
    }
    if (probeInterval == null || probeInterval.toMillis() < 1 || probeInterval.compareTo(outageLimit) >= 0) {
      throw new IllegalArgumentException("probeInterval must be at least 1 ms and shorter than outageLimit ("
          + seconds(outageLimit) + "), got " + seconds(probeInterval));
    }
  }

  private static String seconds(Duration d) {
    return d == null ? "none" : d.toMillis() / 1e3 + " s";
  }

  public static BrokerHealthConfig ofDefaults() {
    return new BrokerHealthConfig(DEFAULT_OUTAGE_LIMIT, DEFAULT_PROBE_INTERVAL);
  }

  /** The default probe interval, or a tenth of a shorter limit. */
  public static BrokerHealthConfig withOutageLimit(Duration outageLimit) {
    Duration probe = DEFAULT_PROBE_INTERVAL;
    if (outageLimit != null && outageLimit.compareTo(DEFAULT_PROBE_INTERVAL.multipliedBy(10)) < 0) {
      probe = outageLimit.dividedBy(10);
    }
    return new BrokerHealthConfig(outageLimit, probe);
  }
}

package org.streamsbi.broker;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link BrokerHealth} from a describeCluster request every probe interval: the cheapest request
 * any broker of the cluster answers, and one that fails within its own timeout when none does.
 */
final class ClusterProbe implements BrokerHealth, Runnable {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterProbe.class);

  private final Admin admin;
  private final String servers;
  private final BrokerHealthConfig config;
  private final Thread thread;
  /** {@link System#nanoTime()} of the latest answer, or of the start before the first. */
  private volatile long answeredAt = System.nanoTime();
  private volatile boolean silent;
  private volatile boolean running = true;

  ClusterProbe(KafkaClients clients, BrokerHealthConfig config) {
    this.admin = clients.admin();
    this.servers = clients.bootstrapServers();
    this.config = config;
    this.thread = new Thread(this, "streamsbi-broker-health");
    thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  @Override
  public void run() {
    long interval = config.probeInterval().toNanos();
    try {
      while (running) {
        long sent = System.nanoTime();
        probe();
        TimeUnit.NANOSECONDS.sleep(Math.max(0, interval - (System.nanoTime() - sent)));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      admin.close(Duration.ZERO);
    }
  }

  private void probe() throws InterruptedException {
    int timeout = (int) config.probeInterval().toMillis();
    try {
      admin.describeCluster(new DescribeClusterOptions().timeoutMs(timeout)).clusterId()
          .get(timeout, TimeUnit.MILLISECONDS);
      if (silent) {
        LOG.info("the Kafka cluster at {} answers again after {} s", servers, seconds(silence()));
      }
      silent = false;
      answeredAt = System.nanoTime();
    } catch (ExecutionException | TimeoutException e) {
      if (!silent) {
        LOG.warn("the Kafka cluster at {} does not answer; waiting up to {} s for it", servers,
            seconds(config.outageLimit()));
      }
      silent = true;
    }
  }

  private static long seconds(Duration d) {
    return Math.round(d.toMillis() / 1000.0);
  }

  @Override
  public State state() {
    if (!silent) {
      return State.CONNECTED;
    }
    return silence().compareTo(config.outageLimit()) > 0 ? State.LOST : State.WAITING;
  }

  @Override
  public Duration silence() {
    return silent ? Duration.ofNanos(System.nanoTime() - answeredAt) : Duration.ZERO;
  }

  @Override
  public BrokerHealthConfig config() {
    return config;
  }

  @Override
  public void close() {
    running = false;
    thread.interrupt();
  }
}

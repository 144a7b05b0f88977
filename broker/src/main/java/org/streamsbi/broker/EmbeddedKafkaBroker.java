package org.streamsbi.broker;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Kafka broker (KRaft, broker and controller in one) running inside this JVM,
 * listening on 127.0.0.1 only.
 *
 * <p>The data directory persists: it is formatted only when new, so a restarted broker keeps its
 * topics and records. Ports are picked free at each start, or kept by {@link #restart()}, which
 * brings a stopped broker back where its clients last saw it.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafkaBroker.class);
  private static final String LOOPBACK = "127.0.0.1";

  private final Path dataDirectory;
  private final int brokerPort;
  private final int controllerPort;
  private final KafkaRaftServer server;
  private boolean stopped;

  private EmbeddedKafkaBroker(Path dataDirectory, int brokerPort, int controllerPort, KafkaRaftServer server) {
    this.dataDirectory = dataDirectory;
    this.brokerPort = brokerPort;
    this.controllerPort = controllerPort;
    this.server = server;
  }

  /** Starts a broker on {@code dataDirectory}, formatting it first if it holds no cluster yet. */
  public static EmbeddedKafkaBroker start(Path dataDirectory) {
    try {
      int brokerPort = freePort();
      int controllerPort = freePort();
      while (controllerPort == brokerPort) {
        controllerPort = freePort();
      }
      return start(dataDirectory, brokerPort, controllerPort);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot find a free port for the broker", e);
    }
  }

  private static EmbeddedKafkaBroker start(Path dataDirectory, int brokerPort, int controllerPort) {
    try {
      Files.createDirectories(dataDirectory);
      Properties props = config(dataDirectory, brokerPort, controllerPort);
      Path logDir = Path.of(props.getProperty("log.dirs"));
      if (!Files.exists(logDir.resolve("meta.properties"))) {
        format(dataDirectory, props);
      }
      KafkaRaftServer server =
          new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
      server.startup();
      EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker(dataDirectory, brokerPort, controllerPort, server);
      LOG.info("embedded Kafka broker on {} with data in {}", broker.bootstrapServers(), dataDirectory);
      return broker;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare broker directory " + dataDirectory, e);
    }
  }

  /**
   * Stops this broker if it runs and starts it again on the same ports and data directory, as a
   * node of a cluster comes back after an outage: its node id, cluster id and metadata log are
   * those in the directory, and clients reconnect to the address they had.
   */
  public EmbeddedKafkaBroker restart() {
    close();
    return start(dataDirectory, brokerPort, controllerPort);
  }

  private static Properties config(Path dir, int brokerPort, int controllerPort) {
    Properties p = new Properties();
    p.put("process.roles", "broker,controller");
    p.put("node.id", "1");
    p.put("controller.quorum.voters", "1@" + LOOPBACK + ":" + controllerPort);
    p.put(
        "listeners",
        "PLAINTEXT://" + LOOPBACK + ":" + brokerPort + ",CONTROLLER://" + LOOPBACK + ":"
            + controllerPort);
    p.put("advertised.listeners", "PLAINTEXT://" + LOOPBACK + ":" + brokerPort);
    p.put("controller.listener.names", "CONTROLLER");
    p.put("inter.broker.listener.name", "PLAINTEXT");
    p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    p.put("log.dirs", dir.resolve("log").toAbsolutePath().toString());
    // Topics are made explicitly and awaited (KAFKA-15591); a typo must not create one.
    p.put("auto.create.topics.enable", "false");
    p.put("num.partitions", "1");
    // With one node, any replication default above 1 makes internal topics hang silently.
    p.put("offsets.topic.replication.factor", "1");
    p.put("offsets.topic.num.partitions", "4");
    p.put("transaction.state.log.replication.factor", "1");
    p.put("transaction.state.log.min.isr", "1");
    p.put("transaction.state.log.num.partitions", "4");
    p.put("share.coordinator.state.topic.replication.factor", "1");
    p.put("share.coordinator.state.topic.min.isr", "1");
    p.put("group.initial.rebalance.delay.ms", "0");
    return p;
  }

  private static void format(Path dir, Properties props) throws IOException {
    Path file = dir.resolve("server.properties");
    try (OutputStream out = Files.newOutputStream(file)) {
      props.store(out, "written by StreamSBI to format the embedded broker");
    }
    ByteArrayOutputStream output = new ByteArrayOutputStream();
    int code;
    try (PrintStream print = new PrintStream(output, true, StandardCharsets.UTF_8)) {
      code =
          StorageTool.execute(
              new String[] {
                "format", "-t", Uuid.randomUuid().toString(), "-c", file.toString()
              },
              print);
    }
    if (code != 0) {
      throw new BrokerException(
          "formatting broker storage in " + dir + " failed: "
              + output.toString(StandardCharsets.UTF_8));
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(LOOPBACK))) {
      return socket.getLocalPort();
    }
  }

  /** host:port for clients. */
  public String bootstrapServers() {
    return LOOPBACK + ":" + brokerPort;
  }

  public Path dataDirectory() {
    return dataDirectory;
  }

  /** Stops the broker; its data stays for {@link #restart()} or a later {@link #start(Path)}. */
  @Override
  public synchronized void close() {
    if (stopped) {
      return;
    }
    stopped = true;
    server.shutdown();
    server.awaitShutdown();
    LOG.info("embedded Kafka broker stopped");
  }
}

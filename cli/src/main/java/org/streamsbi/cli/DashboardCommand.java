package org.streamsbi.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.streamsbi.broker.KafkaClients;
import org.streamsbi.broker.RunTopics;
import org.streamsbi.broker.TopicFollower;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code streamsbi dashboard}: the live dashboard of a run elsewhere, read from its events topic. */
@Command(
    name = "dashboard",
    mixinStandardHelpOptions = true,
    description = {
      "Serves the live dashboard and /metrics of a run that writes to a Kafka cluster.",
      "Replays the run's events topic from the beginning, then follows it until stopped (Ctrl-C)."
    })
final class DashboardCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--bootstrap-servers", required = true, description = "the run's Kafka cluster")
  String bootstrapServers;

  @Option(names = "--run", required = true, description = "the run's name, as `run --run` gave or printed it")
  String run;

  @Mixin DashboardOptions dashboardOptions;

  @Override
  public Integer call() throws Exception {
    RunTopics topics = new RunTopics(run);
    DashboardConfig config = dashboardOptions.config();
    KafkaClients clients = new KafkaClients(bootstrapServers);
    try (Admin admin = clients.admin()) {
      // Without its topic the dashboard would wait for events that never come.
      if (!admin.listTopics().names().get(1, TimeUnit.MINUTES).contains(topics.events())) {
        throw new IllegalArgumentException(
            "--run " + run + ": no topic " + topics.events() + " on " + bootstrapServers + "; is the run's name right?");
      }
    }
    CountDownLatch stopped = new CountDownLatch(1);
    try (Dashboard dashboard = new Dashboard(config, run);
        TopicFollower events =
            new TopicFollower(clients, topics.events(), run + "-dashboard",
                record -> dashboard.event(record.key(), record.value()))) {
      Thread follower = new Thread(events, "streamsbi-dashboard-events");
      follower.setDaemon(true);
      follower.start();
      PrintWriter err = spec.commandLine().getErr();
      err.printf("dashboard of run %s (topic %s on %s) at %s%n", run, topics.events(), bootstrapServers, dashboard.address());
      err.flush();
      Runtime.getRuntime().addShutdownHook(new Thread(stopped::countDown));
      stopped.await();
    }
    return 0;
  }
}

package org.streamsbi.simulator;

import java.io.IOException;
import org.streamsbi.broker.RunTopics;

/**
 * A simulation worker in its own JVM, for the SIGKILL test: simulates slowly (so that it is killed
 * mid-simulation) and exits when its standard input closes, so it never outlives the test JVM.
 *
 * <p>Arguments: run name, worker id.
 */
public final class KillableWorker {
  private KillableWorker() {}

  public static void main(String[] args) {
    Thread watchdog = new Thread(() -> {
      try {
        while (System.in.read() != -1) {
          // the parent writes nothing; end of input means it is gone
        }
      } catch (IOException ignored) {
        // a broken stdin means the same
      }
      Runtime.getRuntime().halt(0);
    }, "stdin-watchdog");
    watchdog.setDaemon(true);
    watchdog.start();
    SimulationWorkerConfig config = SimulationWorkerConfig.custom().concurrency(2).maxAttempts(1).failureRateThreshold(100).build();
    new SimulationWorker(args[1], KillTest.clients(args[2]), new RunTopics(args[0]), KillTest.SLOW, config).run();
  }
}

package org.streamsbi.simulator;

import java.io.IOException;
import org.streamsbi.broker.RunTopics;

/**
 * A worker of a slow persistent program in its own JVM, for the SIGKILL test; it exits when its
 * standard input closes, so it never outlives the test JVM.
 *
 * <p>Arguments: run name, worker id, bootstrap servers, directory where the programs leave their pids.
 */
public final class PersistentKillableWorker {
  private PersistentKillableWorker() {}

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
    new SimulationWorker(args[1], KillTest.clients(args[2]), new RunTopics(args[0]),
        new PersistentProcessSimulator(PersistentKillTest.slow(args[3])), PersistentKillTest.CONFIG).run();
  }
}

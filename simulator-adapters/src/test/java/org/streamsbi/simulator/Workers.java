package org.streamsbi.simulator;

import java.util.ArrayList;
import java.util.List;

/** Simulation workers on threads of the test JVM, stopped and joined on close. */
final class Workers implements AutoCloseable {
  final List<SimulationWorker> workers = new ArrayList<>();
  private final List<Thread> threads = new ArrayList<>();

  SimulationWorker start(SimulationWorker worker) {
    Thread t = new Thread(worker, worker.workerId());
    t.setDaemon(true);
    t.start();
    workers.add(worker);
    threads.add(t);
    return worker;
  }

  long simulated() {
    return workers.stream().mapToLong(SimulationWorker::simulated).sum();
  }

  long failed() {
    return workers.stream().mapToLong(SimulationWorker::failed).sum();
  }

  @Override
  public void close() throws InterruptedException {
    workers.forEach(SimulationWorker::close);
    for (Thread t : threads) {
      t.join(30_000);
    }
  }
}

package org.streamsbi.controller;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.streamsbi.simulator.SimulationWorker;

/**
 * Each simulation worker as a progress report shows it: what the ledger read of its samples and
 * failures, its rate since the previous report, and the circuit breaker of a worker in this JVM.
 */
final class WorkerTallies {
  private final ProposalLedger ledger;
  private final Map<String, SimulationWorker> localWorkers;
  private final Map<String, Long> lastSamplesByWorker = new HashMap<>();
  private long lastReportAt;

  /** {@code localWorkers} by id, as the run starts them. */
  WorkerTallies(ProposalLedger ledger, Map<String, SimulationWorker> localWorkers) {
    this.ledger = ledger;
    this.localWorkers = localWorkers;
  }

  /** Each worker's tallies, with its rate since the previous call. */
  List<RunProgress.Worker> next() {
    long now = System.nanoTime();
    double seconds = lastReportAt == 0 ? 0 : (now - lastReportAt) / 1e9;
    lastReportAt = now;
    Map<String, Long> samples = ledger.samplesByWorker();
    Map<String, Long> failed = ledger.failedByWorker();
    Map<String, Double> simulationSeconds = ledger.simulationSecondsByWorker();
    Map<String, Long> all = new TreeMap<>(samples);
    failed.keySet().forEach(w -> all.putIfAbsent(w, 0L));
    localWorkers.keySet().forEach(w -> all.putIfAbsent(w, 0L));
    List<RunProgress.Worker> out = new ArrayList<>();
    all.forEach(
        (worker, n) -> {
          long before = lastSamplesByWorker.getOrDefault(worker, 0L);
          double rate = seconds > 0 ? (n - before) / seconds : 0;
          double meanSeconds = n > 0 ? simulationSeconds.getOrDefault(worker, 0.0) / n : Double.NaN;
          SimulationWorker local = localWorkers.get(worker);
          out.add(new RunProgress.Worker(worker, n, failed.getOrDefault(worker, 0L), rate, meanSeconds,
              local == null ? "" : local.circuitState()));
        });
    lastSamplesByWorker.putAll(samples);
    return out;
  }
}

package org.streamsbi.controller;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.streamsbi.simulator.SimulationWorker;

/** Each worker's tallies for a progress report, with its rate since the previous report. */
final class WorkerRates {
  private final Map<String, Long> lastSamples = new HashMap<>();
  private long lastReportAt;

  /** Every worker the ledger heard of, and every in-JVM worker, by id. */
  List<RunProgress.Worker> next(ProposalLedger ledger, Map<String, SimulationWorker> localWorkers) {
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
          long before = lastSamples.getOrDefault(worker, 0L);
          double rate = seconds > 0 ? (n - before) / seconds : 0;
          double meanSeconds = n > 0 ? simulationSeconds.getOrDefault(worker, 0.0) / n : Double.NaN;
          SimulationWorker local = localWorkers.get(worker);
          out.add(new RunProgress.Worker(worker, n, failed.getOrDefault(worker, 0L), rate, meanSeconds,
              local == null ? "" : local.circuitState()));
        });
    lastSamples.putAll(samples);
    return out;
  }
}

package org.streamsbi.cli;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.ToDoubleFunction;
import org.streamsbi.controller.RunProgress;

/**
 * A run's metrics in Prometheus' text format, through Micrometer: the JVM's, and the run's as its
 * latest progress report tells them. Every meter carries the run's name as the tag {@code run}, so
 * one Prometheus can scrape several runs.
 */
final class RunMetrics implements AutoCloseable {
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final AtomicReference<RunProgress> latest = new AtomicReference<>();
  private final Map<String, RunProgress.Worker> workers = new ConcurrentHashMap<>();
  private final Set<String> deadLetterKinds = ConcurrentHashMap.newKeySet();
  private final JvmGcMetrics gc = new JvmGcMetrics();

  RunMetrics(String run) {
    registry.config().commonTags("run", run);
    new ClassLoaderMetrics().bindTo(registry);
    new JvmMemoryMetrics().bindTo(registry);
    gc.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);

    counter("streamsbi.samples.ingested", "distinct samples received", RunProgress::samples);
    counter("streamsbi.simulations.failed", "proposals workers gave up on", RunProgress::failedProposals);
    counter("streamsbi.dead.letters", "records set aside on the dead-letter topic", RunProgress::deadLetters);
    counter("streamsbi.training.steps", "training steps taken", RunProgress::steps);
    counter("streamsbi.training.lag.episodes", "times training fell behind simulation", RunProgress::trainingLagEpisodes);
    gauge("streamsbi.simulation.budget", "simulations the run asks for", RunProgress::simulations);
    gauge("streamsbi.training.loss", "mean -log q(theta|x) over the last validation interval", RunProgress::trainingLoss);
    gauge("streamsbi.validation.loss", "-log q(theta|x) on the validation split", RunProgress::validationLoss);
    gauge("streamsbi.validation.loss.best", "lowest validation loss so far", RunProgress::bestValidationLoss);
    gauge("streamsbi.buffer.training.samples", "rows in the buffer's training split", RunProgress::trainingSamples);
    gauge("streamsbi.buffer.validation.samples", "rows in the buffer's validation split", RunProgress::validationSamples);
    gauge("streamsbi.buffer.capacity", "training rows the buffer holds at most", RunProgress::bufferCapacity);
    gauge("streamsbi.buffer.fill", "training rows held over capacity", p -> (double) p.trainingSamples() / p.bufferCapacity());
    gauge("streamsbi.buffer.inserts.per.second", "samples/s into the buffer", RunProgress::insertsPerSecond);
    gauge("streamsbi.buffer.draws.per.second", "rows/s the trainer draws", RunProgress::drawsPerSecond);
    gauge("streamsbi.buffer.draws.per.insert", "put/get balance: rows drawn per insert", RunProgress::drawsPerInsert);
    gauge("streamsbi.elapsed.seconds", "seconds since the run started", RunProgress::elapsedSeconds);
    gauge("streamsbi.round", "the round whose proposals were published last", RunProgress::round);
    gauge("streamsbi.rounds", "rounds the budget is split into", RunProgress::rounds);
    gauge("streamsbi.training.learning.rate", "Adam's step size at the last validation", RunProgress::learningRate);
    gauge("streamsbi.training.samples.per.second", "rows trained on per second", RunProgress::trainingSamplesPerSecond);
    gauge("streamsbi.training.waiting.seconds", "time the trainer spent getting minibatches", RunProgress::waitingForDataSeconds);
    gauge("streamsbi.broker.silent.seconds", "how long the Kafka broker has not answered; 0 while it answers",
        p -> p.broker().silentSeconds());
  }

  /** Takes a progress report as the run's current state. */
  void record(RunProgress progress) {
    latest.set(progress);
    for (String kind : progress.deadLettersByKind().keySet()) {
      if (deadLetterKinds.add(kind)) {
        FunctionCounter.builder("streamsbi.dead.letters.by.kind", latest,
                r -> r.get().deadLettersByKind().getOrDefault(kind, 0L))
            .description("dead letters by what they set aside").tags("kind", kind).register(registry);
      }
    }
    for (RunProgress.Worker w : progress.workers()) {
      if (workers.put(w.worker(), w) == null) {
        Tags worker = Tags.of("worker", w.worker());
        FunctionCounter.builder("streamsbi.worker.samples", workers, m -> m.get(w.worker()).samples())
            .description("distinct samples the worker wrote").tags(worker).register(registry);
        FunctionCounter.builder("streamsbi.worker.failed", workers, m -> m.get(w.worker()).failedProposals())
            .description("proposals the worker gave up on").tags(worker).register(registry);
        Gauge.builder("streamsbi.worker.samples.per.second", workers, m -> m.get(w.worker()).samplesPerSecond())
            .description("the worker's samples/s").tags(worker).register(registry);
        Gauge.builder("streamsbi.worker.simulation.seconds.mean", workers, m -> m.get(w.worker()).meanSimulationSeconds())
            .description("mean wall time of the worker's simulations").tags(worker).register(registry);
        Gauge.builder("streamsbi.worker.circuit.open", workers, m -> "OPEN".equals(m.get(w.worker()).circuitBreaker()) ? 1 : 0)
            .description("1 while the worker's circuit breaker is open (workers in the run's JVM)").tags(worker).register(registry);
      }
    }
  }

  /** Every meter in Prometheus' text exposition format. */
  String scrape() {
    return registry.scrape();
  }

  private void counter(String name, String description, ToDoubleFunction<RunProgress> value) {
    FunctionCounter.builder(name, latest, r -> r.get() == null ? 0 : value.applyAsDouble(r.get()))
        .description(description)
        .register(registry);
  }

  private void gauge(String name, String description, ToDoubleFunction<RunProgress> value) {
    Gauge.builder(name, latest, r -> r.get() == null ? Double.NaN : value.applyAsDouble(r.get()))
        .description(description)
        .register(registry);
  }

  @Override
  public void close() {
    gc.close();
    registry.close();
  }
}

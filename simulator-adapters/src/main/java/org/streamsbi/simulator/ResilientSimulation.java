package org.streamsbi.simulator;

import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.github.resilience4j.timelimiter.TimeLimiter;
import io.github.resilience4j.timelimiter.TimeLimiterConfig;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.streamsbi.core.Proposal;

/**
 * One worker's simulator behind Resilience4j: CircuitBreaker(Retry(Bulkhead(TimeLimiter(run)))),
 * the circuit breaker only when enabled. Only transient failures are retried. The circuit breaker
 * counts proposals, each once after its last attempt, not attempts: a solver that fails for a
 * share of θ fails each retry of those θ too, and counted per attempt its retries alone would
 * lift the failure rate past the threshold. Unusable output ({@code invalid-output}) does not count
 * at all: it says where θ is, or that the program is wrong, never that this worker's machine is.
 * An open circuit refuses the call so that the worker hands the proposal back instead of failing it.
 */
final class ResilientSimulation implements AutoCloseable {
  private static final Duration LAST_WORDS = Duration.ofSeconds(2);

  private final StreamingSimulator simulator;
  private final SimulationWorkerConfig config;
  private final Retry retry;
  private final CircuitBreaker circuitBreaker;
  private final Bulkhead bulkhead;
  private final TimeLimiter timeLimiter;
  private final ExecutorService timed;

  /** How one proposal ended: its outputs by step, and the failure that ended it, if any. */
  record Outcome(Proposal proposal, Map<Integer, float[]> outputs, SimulationException failure, int attempts,
      boolean refused, double seconds) {}

  ResilientSimulation(String name, StreamingSimulator simulator, SimulationWorkerConfig config) {
    this.simulator = simulator;
    this.config = config;
    this.retry =
        Retry.of(
            name,
            RetryConfig.custom()
                .maxAttempts(config.maxAttempts())
                .intervalFunction(
                    IntervalFunction.ofExponentialBackoff(config.initialBackoff(), config.backoffMultiplier()))
                .retryOnException(e -> e instanceof SimulationException s && s.isTransient())
                .build());
    this.circuitBreaker =
        CircuitBreaker.of(
            name,
            CircuitBreakerConfig.custom()
                .failureRateThreshold(config.failureRateThreshold())
                .slidingWindowSize(config.slidingWindowSize())
                .minimumNumberOfCalls(config.minimumNumberOfCalls())
                .waitDurationInOpenState(config.waitDurationInOpenState())
                .automaticTransitionFromOpenToHalfOpenEnabled(true)
                .recordException(e -> e instanceof SimulationException)
                .ignoreException(e -> e instanceof SimulationException s && !s.isTransient())
                .build());
    this.bulkhead =
        Bulkhead.of(
            name,
            BulkheadConfig.custom()
                .maxConcurrentCalls(config.concurrency())
                .maxWaitDuration(Duration.ofDays(1))
                .build());
    this.timeLimiter =
        config.timeLimit().isZero()
            ? null
            : TimeLimiter.of(
                TimeLimiterConfig.custom().timeoutDuration(config.timeLimit()).cancelRunningFuture(true).build());
    this.timed = timeLimiter == null ? null : Executors.newCachedThreadPool(daemon(name));
  }

  CircuitBreaker circuitBreaker() {
    return circuitBreaker;
  }

  /** Simulates one proposal with retries; never throws for a simulation failure. */
  Outcome simulate(Proposal proposal) {
    long start = System.nanoTime();
    Map<Integer, float[]> outputs = new TreeMap<>();
    AtomicInteger attempts = new AtomicInteger();
    Callable<Void> attempt =
        () -> {
          attempts.incrementAndGet();
          runOnce(proposal, outputs);
          return null;
        };
    Callable<Void> retried = Retry.decorateCallable(retry, Bulkhead.decorateCallable(bulkhead, attempt));
    Callable<Void> guarded =
        config.circuitBreakerEnabled() ? CircuitBreaker.decorateCallable(circuitBreaker, retried) : retried;
    SimulationException failure = null;
    boolean refused = false;
    try {
      guarded.call();
    } catch (SimulationException e) {
      failure = e;
    } catch (CallNotPermittedException e) {
      refused = true;
    } catch (Exception e) {
      failure = new SimulationException("simulation failed: " + e, e);
    }
    Map<Integer, float[]> kept;
    synchronized (outputs) {
      kept = new TreeMap<>(outputs);
    }
    return new Outcome(proposal, kept, failure, attempts.get(), refused, (System.nanoTime() - start) / 1e9);
  }

  private void runOnce(Proposal proposal, Map<Integer, float[]> outputs) throws Exception {
    StreamingSimulator.Outputs sink =
        (step, x) -> {
          if (x == null || x.length != simulator.xDimension()) {
            throw new SimulationException(
                "simulator returned " + (x == null ? "no" : Integer.toString(x.length)) + " values, expected "
                    + simulator.xDimension(),
                SimulationException.Kind.INVALID_OUTPUT, null, "");
          }
          synchronized (outputs) {
            outputs.put(step, x);
          }
        };
    if (timeLimiter == null) {
      simulator.simulate(proposal.theta(), proposal.seed(), sink);
      return;
    }
    AtomicReference<SimulationException> lastWords = new AtomicReference<>();
    CountDownLatch finished = new CountDownLatch(1);
    try {
      timeLimiter.executeFutureSupplier(
          () ->
              timed.submit(
                  () -> {
                    try {
                      simulator.simulate(proposal.theta(), proposal.seed(), sink);
                      return null;
                    } catch (SimulationException e) {
                      lastWords.set(e);
                      throw e;
                    } finally {
                      finished.countDown();
                    }
                  }));
    } catch (TimeoutException e) {
      // The limiter interrupted the simulation, which kills its process; wait briefly for the
      // stderr it left so the dead letter can show it.
      finished.await(LAST_WORDS.toMillis(), TimeUnit.MILLISECONDS);
      SimulationException killed = lastWords.get();
      throw new SimulationException(
          "simulation exceeded its time limit of " + config.timeLimit().toMillis() + " ms and was killed",
          SimulationException.Kind.TIMED_OUT, null, killed == null ? "" : killed.stderrTail());
    }
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, "streamsbi-" + name + "-simulation-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  @Override
  public void close() {
    if (timed != null) {
      timed.shutdownNow();
    }
  }
}

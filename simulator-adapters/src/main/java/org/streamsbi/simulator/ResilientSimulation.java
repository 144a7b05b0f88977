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
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
 *
 * <p>A {@link BatchSimulator} takes a batch path with the same policies per proposal: each
 * attempt hands the proposals still pending to the simulator, and each proposal counts towards the
 * circuit breaker once it is resolved; the transient failures among them are retried together
 * after the backoff, or one by one when a failure took down a whole request. It keeps its own
 * clock, since only it can restart what it runs.
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
  private final IntervalFunction backoff;
  private final BatchSimulator.Session batches;
  private final int batchSize;

  /** How one proposal ended: its outputs by step, and the failure that ended it, if any. */
  record Outcome(Proposal proposal, Map<Integer, float[]> outputs, SimulationException failure, int attempts,
      boolean refused, double seconds) {}

  ResilientSimulation(String name, StreamingSimulator simulator, SimulationWorkerConfig config) {
    this.simulator = simulator;
    this.config = config;
    this.backoff = IntervalFunction.ofExponentialBackoff(config.initialBackoff(), config.backoffMultiplier());
    this.retry =
        Retry.of(
            name,
            RetryConfig.custom()
                .maxAttempts(config.maxAttempts())
                .intervalFunction(backoff)
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
    BatchSimulator batched = simulator instanceof BatchSimulator b ? b : null;
    this.batches = batched == null ? null : batched.open(config.concurrency());
    this.batchSize = batched == null ? 1 : batched.batchSize();
  }

  /** Proposals a batch simulator sends in one request; 1 for other simulators. */
  int batchSize() {
    return batchSize;
  }

  /** Whether {@link #simulate(List)} hands all its proposals to one batch simulator's slot. */
  boolean batched() {
    return batches != null;
  }

  /** Simulates the proposals; never throws for a simulation failure. */
  Outcome[] simulate(List<Proposal> proposals) {
    if (batches == null) {
      Outcome[] outcomes = new Outcome[proposals.size()];
      for (int i = 0; i < outcomes.length; i++) {
        outcomes[i] = simulate(proposals.get(i));
      }
      return outcomes;
    }
    return simulateBatch(proposals);
  }

  private Outcome[] simulateBatch(List<Proposal> proposals) {
    long start = System.nanoTime();
    int n = proposals.size();
    float[][] xs = new float[n][];
    SimulationException[] failures = new SimulationException[n];
    int[] attempts = new int[n];
    List<Integer> pending = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      pending.add(i);
    }
    boolean refused = false;
    boolean alone = false;
    for (int attempt = 1; !pending.isEmpty(); attempt++) {
      if (attempt > 1 && !pause(backoff.apply(attempt - 1))) {
        refused = true;
        break;
      }
      if (config.circuitBreakerEnabled() && !circuitBreaker.tryAcquirePermission()) {
        refused = true;
        break;
      }
      List<Integer> again = new ArrayList<>();
      // After a whole request failed (a crash, a hang), each proposal goes alone, so that the one
      // that kills or hangs the program does not take the others down with it again.
      for (List<Integer> request : alone ? pending.stream().map(List::of).toList() : List.of(pending)) {
        List<Proposal> items = new ArrayList<>(request.size());
        request.forEach(i -> items.add(proposals.get(i)));
        long sent = System.nanoTime();
        List<BatchSimulator.Result> results = batches.simulate(items, config.timeLimit());
        long took = System.nanoTime() - sent;
        alone = alone || sharedFailure(results);
        for (int k = 0; k < request.size(); k++) {
          int i = request.get(k);
          BatchSimulator.Result result = results.get(k);
          attempts[i]++;
          failures[i] = result.failure();
          if (result.failure() == null) {
            xs[i] = result.x();
          } else if (result.failure().isTransient() && attempts[i] < config.maxAttempts()) {
            again.add(i);
            continue;
          }
          record(took, result.failure());
        }
      }
      pending = again;
    }
    double seconds = (System.nanoTime() - start) / 1e9 / n;
    Set<Integer> unresolved = refused ? new HashSet<>(pending) : Set.of();
    Outcome[] outcomes = new Outcome[n];
    for (int i = 0; i < n; i++) {
      boolean handedBack = unresolved.contains(i);
      outcomes[i] = new Outcome(proposals.get(i), xs[i] == null ? Map.of() : Map.of(0, xs[i]),
          handedBack ? null : failures[i], attempts[i], handedBack, seconds);
    }
    return outcomes;
  }

  /** Whether one failure ended several proposals: a whole request failed. */
  private static boolean sharedFailure(List<BatchSimulator.Result> results) {
    Set<SimulationException> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    for (BatchSimulator.Result r : results) {
      if (r.failure() != null && !seen.add(r.failure())) {
        return true;
      }
    }
    return false;
  }

  private void record(long nanos, SimulationException failure) {
    if (!config.circuitBreakerEnabled()) {
      return;
    }
    if (failure == null) {
      circuitBreaker.onSuccess(nanos, TimeUnit.NANOSECONDS);
    } else {
      circuitBreaker.onError(nanos, TimeUnit.NANOSECONDS, failure);
    }
  }

  /** Waits out a backoff; false when interrupted (the worker is stopping). */
  private static boolean pause(long millis) {
    try {
      Thread.sleep(millis);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
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
    if (batches != null) {
      batches.close();
    }
  }
}

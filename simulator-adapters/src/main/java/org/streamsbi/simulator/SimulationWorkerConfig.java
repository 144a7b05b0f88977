package org.streamsbi.simulator;

import java.time.Duration;

/**
 * The resilience of a simulation worker, in Resilience4j's terms: a bulkhead bounding concurrent
 * simulations, a time limiter that kills an overrunning one, retries with exponential backoff for
 * transient failures and a circuit breaker that stops the worker taking work while its simulator
 * keeps failing. Validated when built; every error names the field.
 */
public final class SimulationWorkerConfig {
  private final int concurrency;
  private final Duration timeLimit;
  private final int maxAttempts;
  private final Duration initialBackoff;
  private final double backoffMultiplier;
  private final float failureRateThreshold;
  private final int slidingWindowSize;
  private final int minimumNumberOfCalls;
  private final Duration waitDurationInOpenState;
  private final boolean circuitBreakerEnabled;

  private SimulationWorkerConfig(Builder b) {
    require(b.concurrency >= 1, "concurrency must be at least 1, got " + b.concurrency);
    require(b.timeLimit != null && !b.timeLimit.isNegative(),
        "timeLimit must be zero (none) or positive, got " + b.timeLimit);
    require(b.maxAttempts >= 1, "maxAttempts must be at least 1, got " + b.maxAttempts);
    require(b.initialBackoff != null && !b.initialBackoff.isNegative() && !b.initialBackoff.isZero(),
        "initialBackoff must be positive, got " + b.initialBackoff);
    require(b.backoffMultiplier >= 1, "backoffMultiplier must be at least 1, got " + b.backoffMultiplier);
    require(b.failureRateThreshold > 0 && b.failureRateThreshold <= 100,
        "failureRateThreshold must be in (0, 100] percent, got " + b.failureRateThreshold);
    require(b.slidingWindowSize >= 1, "slidingWindowSize must be at least 1, got " + b.slidingWindowSize);
    require(b.minimumNumberOfCalls >= 1 && b.minimumNumberOfCalls <= b.slidingWindowSize,
        "minimumNumberOfCalls must be 1 to slidingWindowSize (" + b.slidingWindowSize + "), got "
            + b.minimumNumberOfCalls);
    require(b.waitDurationInOpenState != null && !b.waitDurationInOpenState.isNegative()
            && !b.waitDurationInOpenState.isZero(),
        "waitDurationInOpenState must be positive, got " + b.waitDurationInOpenState);
    this.concurrency = b.concurrency;
    this.timeLimit = b.timeLimit;
    this.maxAttempts = b.maxAttempts;
    this.initialBackoff = b.initialBackoff;
    this.backoffMultiplier = b.backoffMultiplier;
    this.failureRateThreshold = b.failureRateThreshold;
    this.slidingWindowSize = b.slidingWindowSize;
    this.minimumNumberOfCalls = b.minimumNumberOfCalls;
    this.waitDurationInOpenState = b.waitDurationInOpenState;
    this.circuitBreakerEnabled = b.circuitBreakerEnabled;
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }

  public static SimulationWorkerConfig ofDefaults() {
    return custom().build();
  }

  public static Builder custom() {
    return new Builder();
  }

  /**
   * For in-JVM simulators whose failures depend only on θ and the seed (a solver diverging in a
   * corner of parameter space): one attempt, since another would fail the same way, and no circuit
   * breaker, since a high failure rate there says where θ is, not that the worker is broken.
   */
  public static SimulationWorkerConfig deterministic() {
    return custom().maxAttempts(1).circuitBreaker(false).build();
  }

  /** Simulations this worker runs at once (the bulkhead). */
  public int concurrency() {
    return concurrency;
  }

  /** Longest a simulation may run before it is killed; zero for no limit. */
  public Duration timeLimit() {
    return timeLimit;
  }

  public int maxAttempts() {
    return maxAttempts;
  }

  public Duration initialBackoff() {
    return initialBackoff;
  }

  public double backoffMultiplier() {
    return backoffMultiplier;
  }

  public float failureRateThreshold() {
    return failureRateThreshold;
  }

  public int slidingWindowSize() {
    return slidingWindowSize;
  }

  public int minimumNumberOfCalls() {
    return minimumNumberOfCalls;
  }

  public Duration waitDurationInOpenState() {
    return waitDurationInOpenState;
  }

  /** False when the worker runs without a circuit breaker. */
  public boolean circuitBreakerEnabled() {
    return circuitBreakerEnabled;
  }

  public static final class Builder {
    private int concurrency = 1;
    private Duration timeLimit = Duration.ZERO;
    private int maxAttempts = 3;
    private Duration initialBackoff = Duration.ofMillis(200);
    private double backoffMultiplier = 2;
    private float failureRateThreshold = 80;
    private int slidingWindowSize = 50;
    private int minimumNumberOfCalls = 20;
    private Duration waitDurationInOpenState = Duration.ofSeconds(60);
    private boolean circuitBreakerEnabled = true;

    private Builder() {}

    /** Simulations run at once (default 1). */
    public Builder concurrency(int concurrency) {
      this.concurrency = concurrency;
      return this;
    }

    /** Longest a simulation may run before it is killed and retried; zero (default) for none. */
    public Builder timeLimit(Duration timeLimit) {
      this.timeLimit = timeLimit;
      return this;
    }

    /** Attempts per proposal, the first included (default 3). */
    public Builder maxAttempts(int maxAttempts) {
      this.maxAttempts = maxAttempts;
      return this;
    }

    /** Wait before the second attempt (default 200 ms), multiplied for each further one. */
    public Builder initialBackoff(Duration initialBackoff) {
      this.initialBackoff = initialBackoff;
      return this;
    }

    /** Growth of the wait between attempts (default 2). */
    public Builder backoffMultiplier(double backoffMultiplier) {
      this.backoffMultiplier = backoffMultiplier;
      return this;
    }

    /**
     * Percentage of failed proposals in the window that opens the circuit (default 80, above
     * Resilience4j's 50). A machine that cannot run the simulator fails nearly every proposal, while
     * a solver that fails for a share of θ fails that share everywhere, and standing aside would
     * not help: at 50 % a window of 20 proposals of a solver failing for 30 % of θ opens the
     * circuit in one of ten runs of 200 proposals; at 80 % practically never.
     */
    public Builder failureRateThreshold(float failureRateThreshold) {
      this.failureRateThreshold = failureRateThreshold;
      return this;
    }

    /** Proposals the circuit breaker looks back over (default 50). */
    public Builder slidingWindowSize(int slidingWindowSize) {
      this.slidingWindowSize = slidingWindowSize;
      return this;
    }

    /** Proposals before the failure rate counts (default 20). */
    public Builder minimumNumberOfCalls(int minimumNumberOfCalls) {
      this.minimumNumberOfCalls = minimumNumberOfCalls;
      return this;
    }

    /** How long an open circuit keeps the worker away from work before it tries again (default 60 s). */
    public Builder waitDurationInOpenState(Duration waitDurationInOpenState) {
      this.waitDurationInOpenState = waitDurationInOpenState;
      return this;
    }

    /** Whether a circuit breaker guards the simulator (default true). */
    public Builder circuitBreaker(boolean enabled) {
      this.circuitBreakerEnabled = enabled;
      return this;
    }

    public SimulationWorkerConfig build() {
      return new SimulationWorkerConfig(this);
    }
  }
}

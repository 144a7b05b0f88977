package org.streamsbi.controller.diagnostics;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.stream.IntStream;
import org.streamsbi.simulator.Simulator;

/** Runs one simulation per θ on a pool of its own, so a slow simulator does not starve others. */
final class ParallelSimulation {
  private ParallelSimulation() {}

  /** x_i = simulate(θ_i, seed + i), in order, on {@code threads} threads. */
  static float[][] simulate(Simulator simulator, float[][] theta, long seed, int threads) {
    float[][] x = new float[theta.length][];
    ForkJoinPool pool = new ForkJoinPool(threads);
    try {
      pool.submit(
              () ->
                  IntStream.range(0, theta.length)
                      .parallel()
                      .forEach(i -> x[i] = checked(simulator, simulator.simulate(theta[i], seed + i))))
          .get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while simulating", e);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
    } finally {
      pool.shutdownNow();
    }
    return x;
  }

  private static float[] checked(Simulator simulator, float[] x) {
    if (x.length != simulator.xDimension()) {
      throw new IllegalStateException(
          "the simulator returned " + x.length + " values, it declares " + simulator.xDimension());
    }
    return x;
  }
}

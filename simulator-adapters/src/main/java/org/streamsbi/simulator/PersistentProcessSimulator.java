package org.streamsbi.simulator;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.streamsbi.core.Proposal;

/**
 * A simulator that is an external program started once and kept: each concurrency slot of a
 * worker runs its own copy and sends it requests of up to {@link ProcessSimulatorConfig#batchSize()}
 * proposals, one JSON line each way ({@link PersistentProtocol}, docs/simulators.md). What the
 * one-shot protocol guarantees holds per proposal: a request that overruns the time limit kills
 * the program (its proposals time out and are retried on a fresh one); a program that dies fails
 * the proposals in flight, to be retried on a fresh one; an unusable x or a reply that is not
 * one is an invalid output; every failure carries the end of the program's standard error. When
 * the worker stops, the programs see the end of their input and are killed after a grace period.
 */
public final class PersistentProcessSimulator implements StreamingSimulator, BatchSimulator {
  private static final Duration GRACE = Duration.ofSeconds(2);

  private final ProcessSimulatorConfig config;
  private final PersistentProtocol protocol;

  public PersistentProcessSimulator(ProcessSimulatorConfig config) {
    if (config.protocol() != ProcessSimulatorConfig.Protocol.PERSISTENT) {
      throw new IllegalArgumentException("protocol must be PERSISTENT for a persistent simulator, got " + config.protocol());
    }
    this.config = config;
    this.protocol = new PersistentProtocol(config.xDimension());
  }

  @Override
  public int thetaDimension() {
    return config.thetaDimension();
  }

  @Override
  public int xDimension() {
    return config.xDimension();
  }

  @Override
  public int batchSize() {
    return config.batchSize();
  }

  /** Outside a worker: starts the program for this one simulation and ends it. */
  @Override
  public void simulate(float[] theta, long seed, Outputs outputs) {
    try (Session session = open()) {
      Result result = session.simulate(List.of(new Proposal("", 1, "", seed, theta)), Duration.ZERO).get(0);
      if (result.failure() != null) {
        throw result.failure();
      }
      outputs.accept(0, result.x());
    }
  }

  @Override
  public String sampleId(String proposalId, int step) {
    return proposalId;
  }

  @Override
  public Session open() {
    return new Programs();
  }

  /** One worker's programs: idle ones are reused, a failed one is killed and replaced on demand. */
  private final class Programs implements Session {
    private final Deque<PersistentProgram> idle = new ArrayDeque<>();
    private final Set<PersistentProgram> running = new HashSet<>();
    private final AtomicLong requests = new AtomicLong();
    private final ScheduledThreadPoolExecutor alarms;
    private boolean closed;

    Programs() {
      alarms = new ScheduledThreadPoolExecutor(1, r -> {
        Thread t = new Thread(r, "streamsbi-persistent-time-limit");
        t.setDaemon(true);
        return t;
      });
      alarms.setRemoveOnCancelPolicy(true);
    }

    @Override
    public List<Result> simulate(List<Proposal> proposals, Duration timeLimit) {
      PersistentProgram program;
      try {
        program = take();
      } catch (SimulationException e) {
        return all(proposals, e);
      }
      String id = Long.toString(requests.incrementAndGet());
      byte[] request = protocol.request(id, proposals);
      AtomicBoolean overran = new AtomicBoolean();
      ScheduledFuture<?> alarm = timeLimit.isZero() ? null : alarms.schedule(() -> {
        overran.set(true);
        program.kill();
      }, timeLimit.toNanos(), TimeUnit.NANOSECONDS);
      byte[] line = program.exchange(request);
      if (alarm != null) {
        alarm.cancel(false);
      }
      if (overran.get()) {
        drop(program);
        return all(proposals, new SimulationException(
            "request of " + proposals.size() + " exceeded its time limit of " + timeLimit.toMillis()
                + " ms; the simulator was killed and is restarted", SimulationException.Kind.TIMED_OUT, null,
            program.stderrTail()));
      }
      if (line == null) {
        drop(program);
        Integer status = program.exitStatus();
        return all(proposals, new SimulationException(
            status == null ? "simulator closed its standard output; it is restarted"
                : "simulator exited with status " + status + " during a request; it is restarted",
            SimulationException.Kind.FAILED, status, program.stderrTail()));
      }
      try {
        List<Result> results = protocol.reply(line, id, proposals.size(), program::stderrTail);
        release(program);
        return results;
      } catch (SimulationException e) {
        drop(program);
        return all(proposals, e);
      }
    }

    private PersistentProgram take() {
      synchronized (this) {
        if (closed) {
          throw new SimulationException("the worker is stopping");
        }
        PersistentProgram program = idle.pollFirst();
        if (program != null) {
          return program;
        }
      }
      PersistentProgram started = PersistentProgram.start(config);
      synchronized (this) {
        running.add(started);
        if (closed) {
          started.kill();
          throw new SimulationException("the worker is stopping");
        }
      }
      return started;
    }

    private synchronized void release(PersistentProgram program) {
      if (closed) {
        program.kill();
      } else {
        idle.addFirst(program);
      }
    }

    private void drop(PersistentProgram program) {
      program.kill();
      synchronized (this) {
        running.remove(program);
      }
    }

    private static List<Result> all(List<Proposal> proposals, SimulationException failure) {
      return new ArrayList<>(Collections.nCopies(proposals.size(), Result.failed(failure)));
    }

    @Override
    public void close() {
      List<PersistentProgram> programs;
      synchronized (this) {
        if (closed) {
          return;
        }
        closed = true;
        programs = new ArrayList<>(running);
        idle.clear();
      }
      programs.forEach(PersistentProgram::endInput);
      long deadline = System.nanoTime() + GRACE.toNanos();
      programs.forEach(p -> p.end(deadline));
      alarms.shutdownNow();
    }
  }
}

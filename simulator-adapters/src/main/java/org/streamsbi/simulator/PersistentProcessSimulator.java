package org.streamsbi.simulator;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
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
  /** How often the time limits are checked: a request is killed at most this long after its limit. */
  private static final Duration WATCH = Duration.ofMillis(50);
  /**
   * Request bytes written ahead and not yet answered at most: well under a pipe's 64 KiB, so a
   * write ahead never blocks while the program blocks writing a reply nobody reads yet.
   */
  private static final long AHEAD = 16 * 1024;

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
    try (Session session = open(1)) {
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
  public Session open(int slots) {
    return new Programs(slots);
  }

  /** One worker's programs: idle ones are reused, a failed one is killed and replaced on demand. */
  private final class Programs implements Session {
    private final Deque<PersistentProgram> idle = new ArrayDeque<>();
    private final Set<PersistentProgram> running = new HashSet<>();
    private final AtomicLong requests = new AtomicLong();
    private Thread watchdog;
    private boolean closed;

    Programs(int slots) {
      try {
        for (int i = 0; i < slots; i++) {
          PersistentProgram program = PersistentProgram.start(config);
          running.add(program);
          idle.add(program);
        }
      } catch (SimulationException e) {
        // A program that cannot start says so at the first request, as the dead letters' reason.
      }
    }

    /**
     * Sends the proposals in requests of the batch size to one program, writing requests ahead
     * while earlier ones are answered (up to {@link #AHEAD} bytes unanswered, which the pipe holds
     * without blocking, so that neither side waits for the other's turn). Replies come in order,
     * so the first unanswered request is the one the program was working on when it failed; it
     * takes the failure, and the requests written after it go again to a fresh program.
     */
    @Override
    public List<Result> simulate(List<Proposal> proposals, Duration timeLimit) {
      if (!timeLimit.isZero()) {
        watch();
      }
      int size = config.batchSize();
      int count = (proposals.size() + size - 1) / size;
      List<Result> results = new ArrayList<>(proposals.size());
      String[] ids = new String[count];
      int[] bytes = new int[count];
      PersistentProgram program = null;
      int written = 0;
      long unanswered = 0;
      for (int head = 0; head < count; head++) {
        List<Proposal> answering = proposals.subList(head * size, Math.min(proposals.size(), (head + 1) * size));
        if (program == null) {
          try {
            program = take();
          } catch (SimulationException e) {
            results.addAll(all(proposals.subList(head * size, proposals.size()), e));
            return results;
          }
          written = head;
          unanswered = 0;
        }
        while (written < count && (written == head || unanswered + estimate(written, bytes, head) <= AHEAD)) {
          List<Proposal> items = proposals.subList(written * size, Math.min(proposals.size(), (written + 1) * size));
          ids[written] = Long.toString(requests.incrementAndGet());
          byte[] request = protocol.request(ids[written], items);
          bytes[written] = request.length;
          if (!program.send(request, timeLimit)) {
            break;
          }
          unanswered += request.length;
          written++;
        }
        byte[] line = program.receive(timeLimit);
        unanswered -= bytes[head];
        SimulationException broken = line == null ? ended(program, answering, timeLimit) : null;
        if (broken == null) {
          try {
            results.addAll(protocol.reply(line, ids[head], answering.size(), program::stderrTail));
          } catch (SimulationException e) {
            broken = e;
          }
        }
        if (broken != null) {
          drop(program);
          program = null;
          results.addAll(all(answering, broken));
        }
      }
      if (program != null) {
        release(program);
      }
      return results;
    }

    /** The size of the next request, guessed from the last one written (the first always goes). */
    private static long estimate(int next, int[] bytes, int head) {
      return next > head ? bytes[next - 1] : 0;
    }

    /** Why the program ended before answering: the time limit, or its own exit. */
    private SimulationException ended(PersistentProgram program, List<Proposal> answering, Duration timeLimit) {
      Integer status = program.exitStatus();
      if (program.overran()) {
        return new SimulationException(
            "request of " + answering.size() + " exceeded its time limit of " + timeLimit.toMillis()
                + " ms; the simulator was killed and is restarted", SimulationException.Kind.TIMED_OUT, null,
            program.stderrTail());
      }
      return new SimulationException(
          status == null ? "simulator closed its standard output; it is restarted"
              : "simulator exited with status " + status + " during a request; it is restarted",
          SimulationException.Kind.FAILED, status, program.stderrTail());
    }

    /**
     * Starts the thread that kills programs past their request's deadline. It looks every
     * {@link #WATCH} rather than being told of each request, which would wake it twice a request.
     */
    private synchronized void watch() {
      if (watchdog != null || closed) {
        return;
      }
      watchdog = new Thread(() -> {
        while (true) {
          List<PersistentProgram> programs;
          synchronized (this) {
            if (closed) {
              return;
            }
            programs = new ArrayList<>(running);
          }
          long now = System.nanoTime();
          programs.forEach(p -> p.killIfOverrun(now));
          try {
            Thread.sleep(WATCH.toMillis());
          } catch (InterruptedException e) {
            return;
          }
        }
      }, "streamsbi-persistent-time-limit");
      watchdog.setDaemon(true);
      watchdog.start();
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
      Thread watching;
      synchronized (this) {
        watching = watchdog;
      }
      if (watching != null) {
        watching.interrupt();
      }
    }
  }
}

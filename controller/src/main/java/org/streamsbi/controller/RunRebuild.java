package org.streamsbi.controller;

import java.time.Duration;
import org.streamsbi.broker.KafkaClients;
import org.streamsbi.broker.RunTopics;
import org.streamsbi.buffer.ReplayBuffer;
import org.streamsbi.buffer.SampleIngestor;

/**
 * What a resumed run does before it can train, on its own for the resume benchmark: read where
 * the run stands from its topics ({@link ResumePoint}), and refill an empty buffer from the samples
 * topic with only the run's own samples, as the run's ingestor does.
 */
public final class RunRebuild {
  private RunRebuild() {}

  /**
   * @param samples distinct samples of the run's own proposals the buffer holds
   * @param issued proposals the run had issued
   * @param seconds from the first read of the topics until the buffer had read its topic to the end
   */
  public record Result(long samples, int issued, double seconds) {}

  /** Rebuilds {@code buffer}, which must be empty, from the topics of {@code config}'s run. */
  public static Result rebuild(KafkaClients clients, RunConfig config, ReplayBuffer buffer, Duration timeout)
      throws InterruptedException {
    long start = System.nanoTime();
    RunTopics topics = new RunTopics(config.run());
    ResumePoint point = ResumePoint.read(clients, topics, config, buffer.thetaDimension());
    IssuedProposals issued = new IssuedProposals();
    issued.issue(point.issued());
    SampleIngestor ingestor = new SampleIngestor(clients, topics, buffer, issued);
    Thread thread = new Thread(ingestor, "rebuild-ingestor");
    thread.setDaemon(true);
    thread.start();
    long deadline = start + timeout.toNanos();
    try {
      while (!ingestor.caughtUp()) {
        if (!thread.isAlive() || System.nanoTime() > deadline) {
          throw new IllegalStateException("the buffer holds " + buffer.distinctSamples() + " samples and has not"
              + " read its topic to the end");
        }
        Thread.sleep(1);
      }
      return new Result(buffer.distinctSamples(), point.issued().size(), (System.nanoTime() - start) / 1e9);
    } finally {
      ingestor.close();
      thread.join();
    }
  }
}

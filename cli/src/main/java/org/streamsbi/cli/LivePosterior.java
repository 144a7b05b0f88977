package org.streamsbi.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import org.streamsbi.trainer.Posterior;
import org.streamsbi.trainer.PosteriorSamples;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Draws from the best posterior so far at x_o every few seconds while a run trains, and hands the
 * draws on as a {@code posterior} event, so dashboards redraw the marginals and pair plot as
 * training goes.
 */
final class LivePosterior implements Runnable, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LivePosterior.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Supplier<Optional<Posterior>> bestSoFar;
  private final float[] observation;
  private final int draws;
  private final Duration every;
  private final BiConsumer<String, byte[]> sink;
  private final Thread thread;
  private volatile boolean running = true;

  /**
   * @param bestSoFar the best posterior so far, a copy this closes
   * @param sink takes the event's kind and JSON
   */
  LivePosterior(
      Supplier<Optional<Posterior>> bestSoFar, float[] observation, int draws, Duration every, BiConsumer<String, byte[]> sink) {
    this.bestSoFar = bestSoFar;
    this.observation = observation.clone();
    this.draws = draws;
    this.every = every;
    this.sink = sink;
    this.thread = new Thread(this, "streamsbi-live-posterior");
    thread.setDaemon(true);
  }

  LivePosterior start() {
    thread.start();
    return this;
  }

  @Override
  public void run() {
    long seed = 0;
    while (running) {
      try {
        Thread.sleep(every.toMillis());
        Optional<Posterior> best = bestSoFar.get();
        if (best.isPresent()) {
          try (Posterior posterior = best.get()) {
            sink.accept("posterior", JSON.writeValueAsBytes(event(posterior.sample(draws, observation, seed++))));
          }
        }
      } catch (InterruptedException e) {
        return;
      } catch (Exception e) {
        // The dashboard misses one picture; the run goes on.
        LOG.debug("live posterior skipped: {}", e.toString());
      }
    }
  }

  private ObjectNode event(PosteriorSamples samples) {
    ObjectNode event = JSON.createObjectNode();
    ArrayNode x = event.putArray("observation");
    for (float v : observation) {
      x.add(v);
    }
    event.put("acceptanceRate", samples.acceptanceRate());
    ArrayNode theta = event.putArray("theta");
    for (float[] row : samples.theta()) {
      ArrayNode r = theta.addArray();
      for (float v : row) {
        r.add(v);
      }
    }
    return event;
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    thread.interrupt();
    thread.join(Duration.ofSeconds(10).toMillis());
  }
}

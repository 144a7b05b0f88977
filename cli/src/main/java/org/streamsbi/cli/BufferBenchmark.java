package org.streamsbi.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.streamsbi.broker.EmbeddedKafkaBroker;
import org.streamsbi.broker.KafkaClients;
import org.streamsbi.broker.RunTopics;
import org.streamsbi.broker.TopicProvisioner;
import org.streamsbi.buffer.ReplayBuffer;
import org.streamsbi.buffer.ReplayBufferConfig;
import org.streamsbi.buffer.SampleIngestor;
import org.streamsbi.core.Sample;
import org.streamsbi.core.arrow.SampleCodec;
import org.streamsbi.simulator.sbibm.BenchmarkTask;
import org.streamsbi.trainer.FlowConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code streamsbi bench buffer}: the replay buffer against baselines measured in the same run,
 * on two_moons samples in the embedded broker. Each timed pass is repeated and the median kept,
 * because the machine is shared.
 */
@Command(
    name = "buffer",
    mixinStandardHelpOptions = true,
    description = {
      "Ingestion from Kafka into the replay buffer as a ratio to a bare kafka-clients consumer",
      "reading the same topic (target >= 0.8), the cost of drawing a 256-sample minibatch as a",
      "fraction of one MAF training step (target < 5%%), and the off-heap bytes per sample."
    })
final class BufferBenchmark implements Callable<Integer> {
  private static final int MINIBATCH = 256;

  @Spec CommandSpec spec;

  @Option(names = "--samples", defaultValue = "1000000", description = "samples in the topic (default ${DEFAULT-VALUE})")
  int samples;

  @Option(names = "--per-record", defaultValue = "500", description = "samples per Kafka record (default ${DEFAULT-VALUE})")
  int perRecord;

  @Option(names = "--repeats", defaultValue = "3", description = "timed passes of each kind (default ${DEFAULT-VALUE})")
  int repeats;

  @Override
  public Integer call() throws Exception {
    if (samples < perRecord || perRecord < 1 || repeats < 1) {
      throw new IllegalArgumentException("--samples must be at least --per-record, both and --repeats positive");
    }
    PrintWriter out = spec.commandLine().getOut();
    BenchmarkTask task = BenchmarkTask.named("two_moons");
    Path dir = Files.createTempDirectory("streamsbi-bench-buffer");
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(dir)) {
      KafkaClients clients = new KafkaClients(broker.bootstrapServers());
      RunTopics topics = new RunTopics("bench-buffer");
      try (Admin admin = clients.admin()) {
        new TopicProvisioner(admin, Duration.ofSeconds(60)).provision(topics, 4);
      }
      long records = produce(clients, topics, task);
      out.printf("topic: %,d two_moons samples in %,d records of %d%n", samples, records, perRecord);
      out.flush();

      bareConsumer(clients, topics, records); // warms the page cache and the JIT for both
      double[] bare = new double[repeats];
      double[] buffered = new double[repeats];
      for (int i = 0; i < repeats; i++) {
        bare[i] = bareConsumer(clients, topics, records);
        buffered[i] = intoBuffer(clients, topics, task, i == repeats - 1 ? out : null);
      }
      double bareRate = samples / Measurements.median(bare);
      double bufferRate = samples / Measurements.median(buffered);
      out.printf("bare kafka-clients consumer: %,.0f samples/s (median of %d)%n", bareRate, repeats);
      out.printf("consumer -> decode -> replay buffer: %,.0f samples/s (median of %d)%n", bufferRate, repeats);
      out.printf("ingest ratio (buffer / bare consumer): %.2f (target >= 0.8)%n", bufferRate / bareRate);
      out.flush();
    }
    drawVersusStep(out, task);
    return 0;
  }

  private long produce(KafkaClients clients, RunTopics topics, BenchmarkTask task) throws Exception {
    SampleCodec codec = new SampleCodec(task.thetaDimension(), task.xDimension());
    SplittableRandom rng = new SplittableRandom(1);
    AtomicReference<Exception> failure = new AtomicReference<>();
    long records = 0;
    try (KafkaProducer<String, byte[]> producer = clients.producer("bench-producer")) {
      for (int start = 0; start < samples; start += perRecord) {
        List<Sample> batch = new ArrayList<>(perRecord);
        for (int i = start; i < Math.min(samples, start + perRecord); i++) {
          batch.add(sample(task, rng, i));
        }
        producer.send(
            new ProducerRecord<>(topics.samples(), "b" + start, codec.encode(batch)),
            (metadata, e) -> {
              if (e != null) {
                failure.compareAndSet(null, e);
              }
            });
        records++;
      }
      producer.flush();
    }
    if (failure.get() != null) {
      throw failure.get();
    }
    return records;
  }

  private static Sample sample(BenchmarkTask task, SplittableRandom rng, int i) {
    float[] theta = task.prior().sample(rng);
    long seed = rng.nextLong();
    String id = String.format("r1-%08d", i);
    return new Sample(id, "bench", 1, id, seed, theta, task.simulate(theta, seed), "bench", 0);
  }

  /** Seconds for a consumer with the buffer's settings to read every record, doing nothing else. */
  private static double bareConsumer(KafkaClients clients, RunTopics topics, long records) {
    long started = System.nanoTime();
    long read = 0;
    long bytes = 0;
    try (KafkaConsumer<String, byte[]> consumer = clients.reader("bench-bare")) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(topics.samples()).stream()
              .map(p -> new TopicPartition(p.topic(), p.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      while (read < records) {
        for (var record : consumer.poll(Duration.ofMillis(100))) {
          read++;
          bytes += record.value().length;
        }
      }
    }
    if (bytes == 0) {
      throw new IllegalStateException("the bare consumer read no bytes");
    }
    return (System.nanoTime() - started) / 1e9;
  }

  /** Seconds from starting {@code ingestor} until {@code buffer} holds {@code samples} distinct samples. */
  static double secondsToFill(ReplayBuffer buffer, SampleIngestor ingestor, long samples) throws InterruptedException {
    long started = System.nanoTime();
    Thread thread = new Thread(ingestor, "bench-ingestor");
    thread.start();
    while (buffer.distinctSamples() < samples) {
      if (!thread.isAlive()) {
        throw new IllegalStateException("the ingestor stopped after " + buffer.distinctSamples() + " samples");
      }
      Thread.sleep(1);
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    ingestor.close();
    thread.join();
    return seconds;
  }

  /** Seconds for the buffer's ingestor to hold every sample, from a fresh buffer. */
  private double intoBuffer(KafkaClients clients, RunTopics topics, BenchmarkTask task, PrintWriter memory)
      throws InterruptedException {
    try (ReplayBuffer buffer =
        new ReplayBuffer(new ReplayBufferConfig(samples, 1, 0.1), task.thetaDimension(), task.xDimension())) {
      double seconds = secondsToFill(buffer, new SampleIngestor(clients, topics, buffer), samples);
      if (memory != null) {
        memory.printf(
            "off-heap bytes per sample: %.1f (%,d bytes for capacity %,d; θ and x alone: %d)%n",
            buffer.offHeapBytes() / (double) samples, buffer.offHeapBytes(), samples,
            (task.thetaDimension() + task.xDimension()) * Float.BYTES);
      }
      return seconds;
    }
  }

  /**
   * The draw of a minibatch against one training step, which itself includes that draw. The step
   * time is the difference between a long and a short training run, so set-up cancels out.
   */
  private void drawVersusStep(PrintWriter out, BenchmarkTask task) throws InterruptedException {
    int rows = 100_000;
    try (ReplayBuffer buffer =
        new ReplayBuffer(new ReplayBufferConfig(rows, rows / 2, 0.05), task.thetaDimension(), task.xDimension())) {
      SplittableRandom rng = new SplittableRandom(2);
      for (int i = 0; i < rows; i++) {
        buffer.insert(sample(task, rng, i));
      }
      double[] draw = new double[repeats];
      long sink = 0;
      for (int r = 0; r < repeats; r++) {
        int draws = 20_000;
        long started = System.nanoTime();
        for (int i = 0; i < draws; i++) {
          sink += buffer.sample(MINIBATCH, rng).size();
        }
        draw[r] = (System.nanoTime() - started) / 1e9 / draws;
      }
      if (sink == 0) {
        throw new IllegalStateException("no rows drawn");
      }
      double drawSeconds = Measurements.median(draw);

      double stepSeconds =
          Measurements.secondsPerTrainingStep(buffer, task.prior(), FlowConfig.defaults(), MINIBATCH, 220, repeats);
      out.printf("draw of a %d-sample minibatch: %.1f µs (median of %d)%n", MINIBATCH, drawSeconds * 1e6, repeats);
      out.printf("one MAF training step (flow defaults, batch %d): %.2f ms (median of %d)%n",
          MINIBATCH, stepSeconds * 1e3, repeats);
      out.printf("draw cost ratio (draw / training step): %.4f = %.2f%% (target < 5%%)%n",
          drawSeconds / stepSeconds, 100 * drawSeconds / stepSeconds);
      out.flush();
    }
  }

}

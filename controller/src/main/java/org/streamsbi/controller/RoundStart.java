package org.streamsbi.controller;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.streamsbi.core.prior.Prior;
import org.streamsbi.trainer.Posterior;

/**
 * What a round of a sequential run starts from, kept beside its checkpoint before its first
 * proposal is issued, so that a resumed run continues in that round: the last round's posterior
 * (the proposal distribution of snpe, the estimator a tsnpe region is cut from, and the weights
 * the round's training starts from) and the training steps behind it.
 *
 * @param stepsBefore training steps of the rounds before this one
 * @param lastRoundSteps training steps of the last round, which seed its truncation region
 * @param priorMass the prior mass of this round's truncation region; NaN for snpe
 */
record RoundStart(long stepsBefore, long lastRoundSteps, double priorMass) {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String POSTERIOR = "round-start-posterior.bin";
  private static final String STEPS = "round-start.json";

  /** Writes the record and {@code previous} into {@code directory}, each file replaced whole. */
  void write(Path directory, Posterior previous) {
    try {
      Files.createDirectories(directory);
      Path posterior = directory.resolve(POSTERIOR + ".tmp");
      try (OutputStream out = Files.newOutputStream(posterior)) {
        previous.save(out);
      }
      Files.move(posterior, directory.resolve(POSTERIOR), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      Path steps = directory.resolve(STEPS + ".tmp");
      // NaN is no JSON number: written as null.
      JSON.writeValue(steps.toFile(), new Stored(stepsBefore, lastRoundSteps,
          Double.isNaN(priorMass) ? null : priorMass));
      Files.move(steps, directory.resolve(STEPS), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot record the start of the round in " + directory, e);
    }
  }

  /** The record in {@code directory}. */
  static RoundStart read(Path directory) {
    try {
      Stored s = JSON.readValue(directory.resolve(STEPS).toFile(), Stored.class);
      return new RoundStart(s.stepsBefore(), s.lastRoundSteps(), s.priorMass() == null ? Double.NaN : s.priorMass());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read where the round started from " + directory.resolve(STEPS)
          + ": a sequential run resumes in a later round only with the checkpoint directory it ran with", e);
    }
  }

  /** The last round's posterior kept in {@code directory}; the caller closes it. */
  static Posterior previous(Path directory, Prior prior) {
    try (InputStream in = Files.newInputStream(directory.resolve(POSTERIOR))) {
      return Posterior.load(in, prior);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the last round's posterior from " + directory.resolve(POSTERIOR), e);
    }
  }

  private record Stored(long stepsBefore, long lastRoundSteps, Double priorMass) {}
}

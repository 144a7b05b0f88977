package org.streamsbi.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.streamsbi.core.prior.Prior;
import org.streamsbi.trainer.Posterior;

/** Reads the posterior.bin that {@code run} and {@code train} write, with errors that name the option and file. */
final class PosteriorFile {
  private PosteriorFile() {}

  /**
   * @param prior the prior it was trained under, or null to take the one the file records
   * @param whose whose prior {@code prior} is, for messages: "two_moons's"
   * @param option the flag that named the file, for messages
   * @throws IllegalArgumentException when the file is missing, is not a saved posterior, or its
   *     prior differs from {@code prior}
   */
  static Posterior load(Path file, Prior prior, String whose, String option) {
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException(option + ": no such file " + file);
    }
    try {
      if (prior == null) {
        try (InputStream in = Files.newInputStream(file)) {
          return Posterior.load(in);
        }
      }
      Optional<Prior> recorded;
      try (InputStream in = Files.newInputStream(file)) {
        recorded = Posterior.recordedPrior(in);
      }
      if (recorded.isPresent() && !recorded.get().equals(prior)) {
        throw new IllegalArgumentException("it was trained under another prior (" + describe(recorded.get())
            + ") than " + whose + " (" + describe(prior) + ")");
      }
      try (InputStream in = Files.newInputStream(file)) {
        return Posterior.load(in, prior);
      }
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(option + ": " + file + ": " + e.getMessage(), e);
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException(option + ": " + file + " is not a posterior written by 'run' or 'train': " + e, e);
    }
  }

  private static String describe(Prior prior) {
    return prior.getClass().getSimpleName() + " of " + prior.dimension() + " parameters";
  }
}

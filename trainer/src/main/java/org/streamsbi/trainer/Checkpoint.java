package org.streamsbi.trainer;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/**
 * A training run's state on disk: the step, the validation bookkeeping, the best parameters so
 * far, and the density (estimator, z-scoring and current parameters). Adam's moments are not
 * part of it: DJL's Adam keeps them private, so a resumed run starts them from zero again.
 *
 * <p>Written to a temporary file in the same directory and moved over the previous checkpoint
 * atomically, so a crash mid-write leaves the last complete checkpoint in place.
 */
final class Checkpoint {
  static final String FILE_NAME = "checkpoint.bin";
  private static final int FORMAT = 0x5342_4943;

  final long step;
  final double bestValidationLoss;
  final int validationsSinceImprovement;
  /** Null before the first validation that improved. */
  final byte[] bestParameters;
  final ConditionalDensity density;

  Checkpoint(
      long step,
      double bestValidationLoss,
      int validationsSinceImprovement,
      byte[] bestParameters,
      ConditionalDensity density) {
    this.step = step;
    this.bestValidationLoss = bestValidationLoss;
    this.validationsSinceImprovement = validationsSinceImprovement;
    this.bestParameters = bestParameters;
    this.density = density;
  }

  void write(Path directory) {
    try {
      Files.createDirectories(directory);
      Path temporary = Files.createTempFile(directory, FILE_NAME, ".tmp");
      try {
        // java.io streams, not NIO channels: the final checkpoint is written after an interrupt
        // ended training, with the flag still set, which would close a channel.
        try (OutputStream file = new BufferedOutputStream(new FileOutputStream(temporary.toFile()))) {
          DataOutputStream out = new DataOutputStream(file);
          out.writeInt(FORMAT);
          out.writeLong(step);
          out.writeDouble(bestValidationLoss);
          out.writeInt(validationsSinceImprovement);
          out.writeInt(bestParameters == null ? -1 : bestParameters.length);
          if (bestParameters != null) {
            out.write(bestParameters);
          }
          density.write(out);
          out.flush();
        }
        Files.move(
            temporary,
            directory.resolve(FILE_NAME),
            StandardCopyOption.ATOMIC_MOVE,
            StandardCopyOption.REPLACE_EXISTING);
      } finally {
        Files.deleteIfExists(temporary);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("writing the checkpoint in " + directory + " failed", e);
    }
  }

  /** The checkpoint in {@code directory}, or empty when there is none; the caller owns its density. */
  static Optional<Checkpoint> read(Path directory) throws IOException {
    Path path = directory.resolve(FILE_NAME);
    if (!Files.exists(path)) {
      return Optional.empty();
    }
    try (InputStream file = new BufferedInputStream(new FileInputStream(path.toFile()))) {
      DataInputStream in = new DataInputStream(file);
      int format = in.readInt();
      if (format != FORMAT) {
        throw new IOException(
            directory.resolve(FILE_NAME) + " is not a checkpoint (format tag "
                + Integer.toHexString(format) + ")");
      }
      long step = in.readLong();
      double best = in.readDouble();
      int since = in.readInt();
      int length = in.readInt();
      byte[] bestParameters = length < 0 ? null : in.readNBytes(length);
      if (bestParameters != null && bestParameters.length != length) {
        throw new IOException("the checkpoint in " + directory + " is truncated");
      }
      return Optional.of(
          new Checkpoint(step, best, since, bestParameters, ConditionalDensity.read(in)));
    }
  }
}

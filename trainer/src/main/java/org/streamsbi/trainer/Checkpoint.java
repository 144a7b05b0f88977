package org.streamsbi.trainer;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A training run's state on disk: the step, the validation bookkeeping, the best parameters so
 * far, the density (estimator, z-scoring and current parameters), and the optimizer: Adam's
 * moments and update counts and the learning-rate schedule's plateau scale and held updates, so that a resumed
 * run takes the steps an uninterrupted one would have taken; and the loss it was trained with,
 * as its validation losses mean nothing under another.
 *
 * <p>Written to a temporary file in the same directory and moved over the previous checkpoint
 * atomically, so a crash mid-write leaves the last complete checkpoint in place.
 */
final class Checkpoint {
  static final String FILE_NAME = "checkpoint.bin";
  /** Checkpoints from before the optimizer state was kept. */
  private static final int WITHOUT_OPTIMIZER_FORMAT = 0x5342_4943;
  /** Checkpoints from before the loss was kept: all trained with the NPE loss. */
  private static final int WITHOUT_LOSS_FORMAT = 0x5342_4944;
  /** Checkpoints from before the learning-rate schedule could be held: none was. */
  private static final int WITHOUT_HELD_FORMAT = 0x5342_4945;
  private static final int FORMAT = 0x5342_4946;

  final long step;
  final double bestValidationLoss;
  final int validationsSinceImprovement;
  /** Null before the first validation that improved. */
  final byte[] bestParameters;
  final ConditionalDensity density;
  /** The step of the next validation. */
  final long nextValidation;
  /** What {@link CheckpointableAdam#save} wrote; null in checkpoints without it. */
  final byte[] optimizerState;
  /** {@link LearningRate#plateauScale}. */
  final double learningRateScale;
  /** Atoms of the atomic loss it was trained with; 0 for the NPE loss. */
  final int atoms;
  /** {@link LearningRate#held}. */
  final int learningRateHeld;

  Checkpoint(
      long step,
      double bestValidationLoss,
      int validationsSinceImprovement,
      byte[] bestParameters,
      ConditionalDensity density) {
    this(step, bestValidationLoss, validationsSinceImprovement, bestParameters, density, -1, null, 1, 0, 0);
  }

  Checkpoint(
      long step,
      double bestValidationLoss,
      int validationsSinceImprovement,
      byte[] bestParameters,
      ConditionalDensity density,
      long nextValidation,
      byte[] optimizerState,
      double learningRateScale,
      int atoms,
      int learningRateHeld) {
    this.step = step;
    this.bestValidationLoss = bestValidationLoss;
    this.validationsSinceImprovement = validationsSinceImprovement;
    this.bestParameters = bestParameters;
    this.density = density;
    this.nextValidation = nextValidation;
    this.optimizerState = optimizerState;
    this.learningRateScale = learningRateScale;
    this.atoms = atoms;
    this.learningRateHeld = learningRateHeld;
  }

  void write(Path directory) {
    try {
      Files.createDirectories(directory);
      Path temporary = Files.createTempFile(directory, FILE_NAME, ".tmp");
      try {
        // java.io streams, not NIO channels: the final checkpoint is written after an interrupt
        // ended training, with the flag still set, which would close a channel.
        try (FileOutputStream file = new FileOutputStream(temporary.toFile())) {
          DataOutputStream out = new DataOutputStream(new BufferedOutputStream(file));
          out.writeInt(FORMAT);
          out.writeLong(step);
          out.writeDouble(bestValidationLoss);
          out.writeInt(validationsSinceImprovement);
          writeBytes(bestParameters, out);
          density.write(out);
          out.writeLong(nextValidation);
          out.writeDouble(learningRateScale);
          writeBytes(optimizerState, out);
          out.writeInt(atoms);
          out.writeInt(learningRateHeld);
          out.flush();
          // The rename below must not expose a file whose data is still in the page cache only.
          file.getFD().sync();
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

  /** The training step of the checkpoint in {@code directory}, read from its header alone; empty when there is none. */
  static OptionalLong step(Path directory) throws IOException {
    Path path = directory.resolve(FILE_NAME);
    if (!Files.exists(path)) {
      return OptionalLong.empty();
    }
    try (DataInputStream in = new DataInputStream(new BufferedInputStream(new FileInputStream(path.toFile())))) {
      in.readInt();
      return OptionalLong.of(in.readLong());
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
      if (format != FORMAT && format != WITHOUT_HELD_FORMAT && format != WITHOUT_LOSS_FORMAT
          && format != WITHOUT_OPTIMIZER_FORMAT) {
        throw new IOException(
            directory.resolve(FILE_NAME) + " is not a checkpoint (format tag "
                + Integer.toHexString(format) + ")");
      }
      long step = in.readLong();
      double best = in.readDouble();
      int since = in.readInt();
      byte[] bestParameters = readBytes(in, directory);
      ConditionalDensity density = ConditionalDensity.read(in);
      if (format == WITHOUT_OPTIMIZER_FORMAT) {
        return Optional.of(new Checkpoint(step, best, since, bestParameters, density));
      }
      try {
        long nextValidation = in.readLong();
        double scale = in.readDouble();
        byte[] optimizerState = readBytes(in, directory);
        int atoms = format == FORMAT || format == WITHOUT_HELD_FORMAT ? in.readInt() : 0;
        int held = format == FORMAT ? in.readInt() : 0;
        return Optional.of(
            new Checkpoint(
                step, best, since, bestParameters, density, nextValidation, optimizerState, scale,
                atoms, held));
      } catch (IOException | RuntimeException e) {
        density.close();
        throw e;
      }
    }
  }

  private static void writeBytes(byte[] bytes, DataOutputStream out) throws IOException {
    out.writeInt(bytes == null ? -1 : bytes.length);
    if (bytes != null) {
      out.write(bytes);
    }
  }

  private static byte[] readBytes(DataInputStream in, Path directory) throws IOException {
    int length = in.readInt();
    byte[] bytes = length < 0 ? null : in.readNBytes(length);
    if (bytes != null && bytes.length != length) {
      throw new IOException("the checkpoint in " + directory + " is truncated");
    }
    return bytes;
  }
}

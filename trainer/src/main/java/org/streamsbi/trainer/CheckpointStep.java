package org.streamsbi.trainer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.OptionalLong;

/** How far the training kept in a checkpoint directory had come, for a resumed run to report. */
public final class CheckpointStep {
  private CheckpointStep() {}

  /** The step of the checkpoint in {@code directory}; empty when it holds none. */
  public static OptionalLong of(Path directory) {
    try {
      return Checkpoint.step(directory);
    } catch (IOException e) {
      throw new UncheckedIOException("the checkpoint in " + directory + " cannot be read", e);
    }
  }
}

package org.streamsbi.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/** The check that a directory a command will write to can be made, before any work starts. */
final class OutputDirectory {
  private OutputDirectory() {}

  /**
   * @return {@code directory}, which may not exist yet
   * @throws IllegalArgumentException in one sentence, when it or a directory above it is a file
   */
  static Path check(Path directory) {
    for (Path p = directory.toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.exists(p) && !Files.isDirectory(p)) {
        throw new IllegalArgumentException(p.equals(directory.toAbsolutePath())
            ? directory + " is a file; give a directory"
            : directory + " lies under " + p + ", which is a file; give a directory");
      }
    }
    return directory;
  }
}

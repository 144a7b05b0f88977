package org.streamsbi.simulator;

import java.net.URISyntaxException;
import java.nio.file.Path;

/** The test simulators under src/test/resources/simulators and the project's examples. */
final class Scripts {
  private Scripts() {}

  static String path(String name) {
    try {
      return Path.of(Scripts.class.getResource("/simulators/" + name).toURI()).toString();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  static String example(String relative) {
    return Path.of("..", "examples").resolve(relative).toAbsolutePath().normalize().toString();
  }
}

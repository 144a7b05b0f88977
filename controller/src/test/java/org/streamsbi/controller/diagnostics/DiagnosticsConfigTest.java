package org.streamsbi.controller.diagnostics;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class DiagnosticsConfigTest {

  private static void refused(String field, Runnable build) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, build::run);
    assertTrue(e.getMessage().contains("diagnostics." + field), e.getMessage());
  }

  @Test
  void namesTheFieldThatIsOutOfRange() {
    refused("sbcRuns", () -> new DiagnosticsConfig(1, 10, 10, 1, 0));
    refused("posteriorDraws", () -> new DiagnosticsConfig(10, 1, 10, 1, 0));
    refused("predictiveDraws", () -> new DiagnosticsConfig(10, 10, 0, 1, 0));
    refused("threads", () -> new DiagnosticsConfig(10, 10, 10, 0, 0));
  }
}

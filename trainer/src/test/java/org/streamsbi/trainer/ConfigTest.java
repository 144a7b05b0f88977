package org.streamsbi.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class ConfigTest {

  private static void rejects(String field, Executable construction) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, construction);
    assertTrue(e.getMessage().contains(field), e.getMessage());
  }

  @Test
  void flowConfigNamesTheBadField() {
    rejects("flow.transforms", () -> new FlowConfig(0, 50));
    rejects("flow.hiddenUnits", () -> new FlowConfig(5, 0));
    rejects("flow.estimator", () -> new FlowConfig(null, 5, 50));
  }

  /** The one description the run's --check line and the benches' header print. */
  @Test
  void flowConfigDescribesItsShape() {
    assertEquals("maf (5 transforms of 50 hidden units)", FlowConfig.defaults().describe());
    assertEquals(
        "nsf (3 transforms of 16 hidden units, logit transform, ensemble of 4)",
        new FlowConfig(Estimator.NSF, 3, 16).withLogitTransform(true).withEnsemble(4).describe());
  }

  @Test
  void trainerConfigNamesTheBadField() {
    rejects("trainer.batchSize", () -> new TrainerConfig(0, 5e-4, 0, 5, 0));
    rejects("trainer.learningRate", () -> new TrainerConfig(256, 0, 0, 5, 0));
    rejects("trainer.learningRate", () -> new TrainerConfig(256, Double.NaN, 0, 5, 0));
    rejects("trainer.validationInterval", () -> new TrainerConfig(256, 5e-4, -1, 5, 0));
    rejects("trainer.clipMaxNorm", () -> new TrainerConfig(256, 5e-4, 0, 0, 0));
    TrainerConfig valid = TrainerConfig.defaults();
    rejects("trainer.checkpointInterval", () -> valid.withCheckpoints(Path.of("c"), 0, false));
    rejects("trainer.checkpointInterval", () -> valid.withCheckpoints(null, 10, false));
    rejects("trainer.resume", () -> valid.withCheckpoints(null, 0, true));
  }
}

package org.streamsbi.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a run is, kept in {@code OUT/run.json} when it starts: its name, which names its topics,
 * and what a run that continues it must share. {@code --resume} finds the run from {@code --out}
 * alone by it, and refuses to continue one it does not match.
 *
 * @param task the sbibm task, or null for a run file's own prior and simulator
 */
record RunIdentity(String run, String task, String method, int simulations, int rounds, int thetaDimension,
    int xDimension) {
  static final String FILE = "run.json";
  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(SerializationFeature.INDENT_OUTPUT)
      .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);

  static RunIdentity of(RunPlan plan) {
    return new RunIdentity(plan.config().run(), plan.task(), plan.config().method().label(),
        plan.config().simulations(), plan.config().rounds(), plan.prior().dimension(), plan.simulator().xDimension());
  }

  /**
   * The run's name when the file gives none: the one kept in {@code resumeFrom} when there is
   * one, else a new one from the task, the observation and the time.
   *
   * @param resumeFrom the output directory of a run to resume, or null
   */
  static String name(String task, Integer observation, Path resumeFrom) {
    Optional<RunIdentity> kept = resumeFrom == null ? Optional.empty() : read(resumeFrom);
    return kept.map(RunIdentity::run).orElseGet(() -> (task != null ? task.replace('_', '-') : "run")
        + (observation != null ? "-obs" + observation : "") + "-"
        + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
  }

  /** The identity kept in {@code out}, or empty when there is none. */
  static Optional<RunIdentity> read(Path out) {
    Path file = out.resolve(FILE);
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    try {
      return Optional.of(JSON.readValue(file.toFile(), RunIdentity.class));
    } catch (IOException e) {
      throw new IllegalArgumentException(file + " cannot be read as a run's identity: " + e.getMessage(), e);
    }
  }

  /** Writes it to {@code out}, replacing the file whole. */
  void write(Path out) {
    try {
      Files.createDirectories(out);
      Path temporary = out.resolve(FILE + ".tmp");
      JSON.writeValue(temporary.toFile(), this);
      Files.move(temporary, out.resolve(FILE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + out.resolve(FILE), e);
    }
  }

  /**
   * @param kept the identity of the run being resumed, as kept in {@code where}
   * @throws IllegalArgumentException naming every field in which this run differs from it
   */
  void mustContinue(RunIdentity kept, Path where) {
    List<String> differences = new ArrayList<>();
    differ(differences, "run", run, kept.run);
    differ(differences, "task", task, kept.task);
    differ(differences, "method", method, kept.method);
    differ(differences, "budget.simulations", simulations, kept.simulations);
    differ(differences, "rounds", rounds, kept.rounds);
    differ(differences, "θ dimension (prior)", thetaDimension, kept.thetaDimension);
    differ(differences, "x dimension (simulator)", xDimension, kept.xDimension);
    if (!differences.isEmpty()) {
      throw new IllegalArgumentException("cannot resume the run kept in " + where.resolve(FILE) + ": "
          + String.join("; ", differences) + ". Resume with the settings it ran with, or start a new run in another --out");
    }
  }

  private static void differ(List<String> differences, String field, Object here, Object there) {
    if (!Objects.equals(here, there)) {
      differences.add(field + " is " + here + " here but " + there + " in the run");
    }
  }
}

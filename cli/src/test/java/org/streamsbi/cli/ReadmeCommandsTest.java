package org.streamsbi.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every {@code ./streamsbi} command in README.md's code blocks, and in the header comments of the
 * example run files it names, runs here through the command line in this JVM, in README order, at
 * a small budget, and must exit with 0 and write or print what the README promises. Paths under
 * {@code runs/} land in a temporary directory; {@code examples/} is the project's. A command
 * this test does not know fails it: add one line to {@link #CASES}.
 */
class ReadmeCommandsTest {
  /** Laid over every run: a small budget, few draws, any free port for the dashboard. */
  private static final String SMALL_RUN = "--simulations 300 --posterior-samples 500 --dashboard-port 0";
  private static final String[] RUN_OUTPUT = {"posterior_samples.csv", "summary.json", "posterior.bin", "kafka"};

  private static final List<Case> CASES = List.of(
      writes("./streamsbi run --task two_moons --observation 1 --simulations 10000 --out runs/two_moons", SMALL_RUN,
          in("runs/two_moons", RUN_OUTPUT)),
      prints("./streamsbi evaluate --task two_moons --observation 1 --samples runs/two_moons/posterior_samples.csv", "",
          "C2ST accuracy"),
      skipped("./streamsbi dashboard --bootstrap-servers kafka:9092 --run two-moons-obs1-20260101-120000",
          "attaches to a Kafka cluster at kafka:9092, which the build has not"),
      writes("./streamsbi run --task gaussian_linear --observation 1 --out runs/gl", SMALL_RUN, in("runs/gl", RUN_OUTPUT)),
      writes("./streamsbi diagnose --task gaussian_linear --observation 1 --posterior runs/gl/posterior.bin --out runs/gl/diagnose",
          "--sbc-runs 20 --posterior-draws 100 --predictive-draws 100 --c2st-samples 500",
          in("runs/gl/diagnose", "sbc_ranks.csv", "coverage.csv", "ppc.csv", "summary.json", "pair_plot.png",
              "sbc_ranks.png", "coverage.png")),
      writes("./streamsbi run --task two_moons --simulations 10000 --run moons --out runs/moons", SMALL_RUN, in("runs/moons", RUN_OUTPUT)),
      writes("./streamsbi train --from-run moons --kafka-dir runs/moons/kafka --task two_moons --estimator nsf --out runs/moons-nsf",
          "--posterior-samples 500 --patience 5", in("runs/moons-nsf", "posterior_samples.csv", "summary.json", "posterior.bin")),
      skipped("./streamsbi train --task two_moons --theta theta.csv --x x.csv --out runs/from-files",
          "needs the user's files; TrainCommandTest trains from CSV and Arrow files"),
      writes("./streamsbi sample --posterior runs/moons/posterior.bin --observations examples/two_moons_observations.csv --samples 1000 --out runs/moons-sampled",
          "--samples 100", in("runs/moons-sampled", "posterior_samples_1.csv", "posterior_samples_10.csv", "summary.json")),
      writes("./streamsbi run --config examples/run.yaml", SMALL_RUN + " --out runs/run-yaml", in("runs/run-yaml", RUN_OUTPUT)),
      writes("./streamsbi run --config examples/process-simulator.yaml",
          SMALL_RUN + " --batch-size 32 --out runs/process", in("runs/process", RUN_OUTPUT)),
      // A Python process per simulation: a third of the budget keeps it quick on a loaded machine.
      writes("./streamsbi run --config examples/one-shot-simulator.yaml",
          SMALL_RUN + " --simulations 100 --batch-size 32 --out runs/one-shot", in("runs/one-shot", RUN_OUTPUT)),
      prints("./streamsbi run --config examples/run.yaml --simulations 2000", "--check", "2000 simulations"),
      prints("./streamsbi run --config my-run.yaml --check", "--config examples/run.yaml", "configuration OK"),
      prints("./streamsbi run --config examples/run.yaml --simulations 2000 --seed 3", "--check", "2000 simulations"),
      skipped("./streamsbi run --task two_moons --workers 0 --out runs/remote ...",
          "waits for workers that join from elsewhere; SimulateCommandTest runs that pairing"),
      skipped("./streamsbi simulate --bootstrap-servers HOST:9092 --run NAME --persistent --concurrency 4 --theta-dimension 2 --x-dimension 10 -- python3 examples/python/persistent_simulator.py",
          "needs a cluster at HOST:9092 and a run NAME"),
      skipped("STREAMSBI_MAVEN_ARGS=-Pcuda ./streamsbi run --task slcp --simulations 100000 --out runs/slcp",
          "the cuda build needs a GPU and a CUDA libtorch"),
      skipped("STREAMSBI_MAVEN_ARGS=-Pcuda STREAMSBI_JAVA_OPTS=-Dai.djl.offline=false ./streamsbi run ...",
          "the cuda build needs a GPU and downloads libtorch"));

  private static final Pattern YAML_EXAMPLE = Pattern.compile("examples/[\\w./-]+\\.yaml");

  @TempDir static Path work;

  /**
   * How the test runs one README command.
   *
   * @param overrides flags laid over the command's: a flag it has gets the new value, one it lacks
   *     is appended
   * @param files paths, relative to the working directory, that must exist afterwards
   * @param printed text its output must hold
   * @param skipped why it cannot run here, or null
   */
  record Case(String command, String overrides, List<String> files, String printed, String skipped) {}

  private static Case writes(String command, String overrides, List<String> files) {
    return new Case(command, overrides, files, "", null);
  }

  private static Case prints(String command, String overrides, String printed) {
    return new Case(command, overrides, List.of(), printed, null);
  }

  private static Case skipped(String command, String reason) {
    return new Case(command, "", List.of(), "", reason);
  }

  private static List<String> in(String directory, String... names) {
    return Arrays.stream(names).map(name -> directory + "/" + name).toList();
  }

  @Test
  void everyCommandInTheReadmeHasACaseAndEveryCaseACommand() throws IOException {
    List<String> documented = documentedCommands();
    Set<String> known = new LinkedHashSet<>(CASES.stream().map(Case::command).toList());
    List<String> uncovered = documented.stream().filter(c -> !known.contains(c)).toList();
    assertTrue(uncovered.isEmpty(), "README commands ReadmeCommandsTest does not run; add a case for each: " + uncovered);
    known.removeAll(documented);
    assertTrue(known.isEmpty(), "cases for commands no longer in the README: " + known);
  }

  @Test
  void commandsAreTakenFromFencedBlocksWithContinuationsJoinedAndCommentsDropped() {
    String markdown = String.join("\n",
        "Run `./streamsbi run --inline` is prose.",
        "```",
        "./streamsbi run --task two_moons \\",
        "                --out runs/x      # a comment",
        "mvn -B verify",
        "streamsbi: run.yaml: an error message",
        "```",
        "  ```",
        "  STREAMSBI_JAVA_OPTS=-Xmx1g ./streamsbi bench buffer",
        "  ```");
    assertEquals(List.of("./streamsbi run --task two_moons --out runs/x", "STREAMSBI_JAVA_OPTS=-Xmx1g ./streamsbi bench buffer"),
        commandsInCodeBlocks(markdown));
  }

  @TestFactory
  Stream<DynamicTest> everyCommandInTheReadmeRunsAtASmallBudget() throws IOException {
    Map<String, Case> cases = new LinkedHashMap<>();
    CASES.forEach(c -> cases.put(c.command(), c));
    return documentedCommands().stream()
        .filter(cases::containsKey)
        .map(cases::get)
        .map(c -> dynamicTest(c.command(), () -> check(c)));
  }

  private static void check(Case c) throws IOException {
    if (c.skipped() != null) {
      System.out.println("not run: " + c.command() + " (" + c.skipped() + ")");
      return;
    }
    List<String> args = laidOver(words(c.command().substring(c.command().indexOf("./streamsbi ") + "./streamsbi ".length())),
        words(c.overrides()));
    String[] resolved = args.stream().map(ReadmeCommandsTest::resolve).toArray(String[]::new);
    long started = System.nanoTime();
    RunCommandTest.Outcome o = RunCommandTest.execute(resolved);
    System.out.printf("%.1f s: %s%n", (System.nanoTime() - started) / 1e9, String.join(" ", resolved));
    assertEquals(0, o.exitCode(), String.join(" ", resolved) + "\n" + o.err());
    assertTrue((o.out() + o.err()).contains(c.printed()), "expected '" + c.printed() + "' in\n" + o.out() + o.err());
    for (String file : c.files()) {
      Path path = work.resolve(file);
      assertTrue(Files.exists(path) && (Files.isDirectory(path) || Files.size(path) > 0), path + " is missing or empty");
    }
  }

  private static List<String> words(String text) {
    return text.isBlank() ? List.of() : List.of(text.trim().split("\\s+"));
  }

  private static List<String> laidOver(List<String> command, List<String> overrides) {
    List<String> args = new ArrayList<>(command);
    for (int i = 0; i < overrides.size(); i++) {
      String flag = overrides.get(i);
      boolean valued = i + 1 < overrides.size() && !overrides.get(i + 1).startsWith("--");
      int at = args.indexOf(flag);
      if (at < 0) {
        args.add(flag);
        if (valued) {
          args.add(overrides.get(i + 1));
        }
      } else if (valued) {
        args.set(at + 1, overrides.get(i + 1));
      }
      if (valued) {
        i++;
      }
    }
    return args;
  }

  /** runs/... into the temporary directory, examples/... to the project's. */
  private static String resolve(String word) {
    if (word.startsWith("runs/")) {
      return work.resolve(word).toString();
    }
    if (word.startsWith("examples/")) {
      return projectDirectory().resolve(word).toString();
    }
    return word;
  }

  /** The commands in README.md's code blocks, then those heading the example files it names. */
  static List<String> documentedCommands() throws IOException {
    String readme = Files.readString(projectDirectory().resolve("README.md"));
    Set<String> commands = new LinkedHashSet<>(commandsInCodeBlocks(readme));
    Matcher example = YAML_EXAMPLE.matcher(readme);
    Set<String> examples = new LinkedHashSet<>();
    while (example.find()) {
      examples.add(example.group());
    }
    for (String file : examples) {
      for (String line : Files.readAllLines(projectDirectory().resolve(file))) {
        Matcher m = Pattern.compile("^#\\s+(\\./streamsbi\\s.*)$").matcher(line);
        if (m.matches()) {
          commands.add(normalised(m.group(1)));
        }
      }
    }
    return List.copyOf(commands);
  }

  /** Lines of fenced blocks that run ./streamsbi, continuation lines joined, comments dropped. */
  static List<String> commandsInCodeBlocks(String markdown) {
    List<String> commands = new ArrayList<>();
    boolean inBlock = false;
    StringBuilder line = new StringBuilder();
    for (String raw : markdown.split("\n")) {
      if (raw.strip().startsWith("```")) {
        inBlock = !inBlock;
        continue;
      }
      if (!inBlock) {
        continue;
      }
      String text = raw.strip();
      if (text.endsWith("\\")) {
        line.append(text, 0, text.length() - 1).append(' ');
        continue;
      }
      line.append(text);
      String command = normalised(line.toString());
      line.setLength(0);
      if (command.startsWith("./streamsbi ") || command.contains(" ./streamsbi ")) {
        commands.add(command);
      }
    }
    return commands;
  }

  private static String normalised(String command) {
    return command.replaceAll("\\s+#.*$", "").strip().replaceAll("\\s+", " ");
  }

  private static Path projectDirectory() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isRegularFile(dir.resolve("README.md")) && Files.isDirectory(dir.resolve("examples"))) {
        return dir;
      }
    }
    throw new IllegalStateException("no README.md with examples/ above " + Path.of("").toAbsolutePath());
  }
}

package org.streamsbi.simulator;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;
import java.util.function.Consumer;

/**
 * One run of an external simulator program. The program is started directly (no shell), so no
 * value can be read as a command. Standard output is handed over line by line from a reader
 * thread; standard error goes to a temporary file whose tail accompanies any failure. The calling
 * thread only waits for the exit, so interrupting it (the time limiter does) kills the program
 * and its children at once.
 */
final class SimulatorProcess {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final ProcessSimulatorConfig config;

  SimulatorProcess(ProcessSimulatorConfig config) {
    this.config = config;
  }

  /**
   * Runs the program for θ and seed and hands each stdout line to {@code lines}.
   *
   * @return the stderr tail; the program exited with status 0
   * @throws SimulationException on a non-zero exit, a failure to start, or an interrupt (after
   *     killing the program)
   */
  String run(float[] theta, long seed, Consumer<String> lines) {
    Path stderr = null;
    Process process = null;
    try {
      stderr = Files.createTempFile("streamsbi-stderr", ".txt");
      ProcessBuilder builder = new ProcessBuilder(commandLine(theta, seed));
      config.workingDirectory().ifPresent(dir -> builder.directory(dir.toFile()));
      builder.environment().putAll(config.environment());
      if (config.channels().contains(ProcessSimulatorConfig.Channel.ENVIRONMENT)) {
        builder.environment().put("STREAMSBI_THETA", csv(theta));
        builder.environment().put("STREAMSBI_SEED", Long.toString(seed));
      }
      builder.redirectError(stderr.toFile());
      try {
        process = builder.start();
      } catch (IOException e) {
        throw new SimulationException("cannot start " + config.command().get(0) + ": " + e.getMessage(), e);
      }
      writeInput(process, theta, seed);
      Thread reader = startReader(process, lines);
      int exit = process.waitFor();
      reader.join();
      String tail = tail(stderr);
      if (exit != 0) {
        throw new SimulationException(
            "simulator exited with status " + exit, SimulationException.Kind.FAILED, exit, tail);
      }
      return tail;
    } catch (InterruptedException e) {
      kill(process);
      Thread.currentThread().interrupt();
      throw new SimulationException(
          "simulation interrupted; simulator killed", SimulationException.Kind.TIMED_OUT, null, tail(stderr));
    } catch (IOException e) {
      throw new SimulationException("cannot run " + config.command().get(0) + ": " + e.getMessage(), e);
    } finally {
      kill(process);
      if (stderr != null) {
        try {
          Files.deleteIfExists(stderr);
        } catch (IOException ignored) {
          // a leftover temporary file is harmless
        }
      }
    }
  }

  private List<String> commandLine(float[] theta, long seed) {
    List<String> command = new ArrayList<>(config.command());
    if (config.channels().contains(ProcessSimulatorConfig.Channel.ARGUMENTS)) {
      command.addAll(List.of("--theta", csv(theta), "--seed", Long.toString(seed)));
    }
    return command;
  }

  private void writeInput(Process process, float[] theta, long seed) {
    try (OutputStream in = process.getOutputStream()) {
      if (config.channels().contains(ProcessSimulatorConfig.Channel.STDIN)) {
        ObjectNode json = JSON.createObjectNode();
        json.putArray("theta").addAll(floats(theta));
        json.put("seed", seed);
        in.write(JSON.writeValueAsBytes(json));
        in.write('\n');
      }
    } catch (IOException e) {
      // The program may exit without reading its input; its exit status and output decide.
    }
  }

  private static List<com.fasterxml.jackson.databind.JsonNode> floats(float[] values) {
    List<com.fasterxml.jackson.databind.JsonNode> out = new ArrayList<>(values.length);
    for (float v : values) {
      out.add(JSON.getNodeFactory().numberNode(v));
    }
    return out;
  }

  private static Thread startReader(Process process, Consumer<String> lines) {
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader out =
                  new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null) {
                  lines.accept(line);
                }
              } catch (IOException e) {
                // The stream closes when the program is killed; the exit status reports why.
              }
            },
            "streamsbi-simulator-stdout");
    reader.setDaemon(true);
    reader.start();
    return reader;
  }

  private static void kill(Process process) {
    if (process != null && process.isAlive()) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
    }
  }

  private String tail(Path file) {
    if (file == null || config.stderrTailBytes() == 0) {
      return "";
    }
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
      long length = f.length();
      int n = (int) Math.min(length, config.stderrTailBytes());
      byte[] bytes = new byte[n];
      f.seek(length - n);
      f.readFully(bytes);
      return new String(bytes, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }

  static String csv(float[] values) {
    StringJoiner joiner = new StringJoiner(",");
    for (float v : values) {
      joiner.add(Float.toString(v));
    }
    return joiner.toString();
  }
}

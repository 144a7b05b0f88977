package org.streamsbi.cli;

import org.streamsbi.controller.RunFailedException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code streamsbi} command line. */
@Command(
    name = "streamsbi",
    mixinStandardHelpOptions = true,
    version = "StreamSBI 0.1.0",
    description = "Online neural posterior estimation from simulations streamed through Kafka.",
    subcommands = {RunCommand.class, DashboardCommand.class, EvaluateCommand.class, DiagnoseCommand.class, BenchCommand.class, SimulateCommand.class, TrainCommand.class, SampleCommand.class})
public final class StreamSbi {

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The command line with StreamSBI's exit codes: 2 for bad input, 1 for a failed run. */
  static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new StreamSbi());
    // Descriptions are written as lines of up to 100 characters; at picocli's 80 each would break in two.
    cli.setUsageHelpWidth(110);
    cli.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          commandLine.getErr().println("streamsbi: " + (e.getMessage() == null ? e : e.getMessage()));
          if (e instanceof IllegalArgumentException) {
            return 2;
          }
          if (!(e instanceof RunFailedException)) {
            e.printStackTrace(commandLine.getErr());
          }
          return 1;
        });
    return cli;
  }
}

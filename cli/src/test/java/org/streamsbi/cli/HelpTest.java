package org.streamsbi.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Every command's help renders whole: picocli warns on stderr and prints a raw format otherwise. */
class HelpTest {
  @Test
  void everyCommandsHelpRendersWithoutWarnings() {
    PrintStream standardError = System.err;
    ByteArrayOutputStream warnings = new ByteArrayOutputStream();
    Deque<CommandLine> commands = new ArrayDeque<>();
    commands.push(StreamSbi.commandLine());
    int rendered = 0;
    try {
      System.setErr(new PrintStream(warnings, true, StandardCharsets.UTF_8));
      while (!commands.isEmpty()) {
        CommandLine command = commands.pop();
        String usage = command.getUsageMessage();
        assertFalse(usage.contains("%n"), command.getCommandName() + ": " + usage);
        rendered++;
        command.getSubcommands().values().forEach(commands::push);
      }
    } finally {
      System.setErr(standardError);
    }
    assertEquals("", warnings.toString(StandardCharsets.UTF_8));
    assertFalse(rendered < 8, "only " + rendered + " commands");
  }
}

package org.streamsbi.cli;

import picocli.CommandLine.Command;

/**
 * {@code streamsbi bench}: benchmarks that print figures as ratios to a baseline measured in the
 * same run, because the machines they run on are shared and noisy.
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = "Benchmarks; each prints its figures as ratios to a baseline measured in the same run.",
    subcommands = {BufferBenchmark.class, SimulatorBenchmark.class, TrainerBenchmark.class, SbibmBenchmark.class,
      ResumeBenchmark.class})
final class BenchCommand {}

package org.streamsbi.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.streamsbi.controller.diagnostics.CalibrationSample;
import org.streamsbi.controller.diagnostics.CoveragePlot;
import org.streamsbi.controller.diagnostics.DiagnosticsConfig;
import org.streamsbi.controller.diagnostics.ExpectedCoverage;
import org.streamsbi.controller.diagnostics.PairPlot;
import org.streamsbi.controller.diagnostics.PosteriorEstimate;
import org.streamsbi.controller.diagnostics.PosteriorPredictiveCheck;
import org.streamsbi.controller.diagnostics.RankHistogramPlot;
import org.streamsbi.controller.diagnostics.SimulationBasedCalibration;
import org.streamsbi.core.CsvMatrix;
import org.streamsbi.simulator.sbibm.BenchmarkTask;
import org.streamsbi.trainer.ClassifierTwoSampleTest;
import org.streamsbi.trainer.Posterior;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code streamsbi diagnose}: is a trained posterior calibrated, predictive, and right? */
@Command(
    name = "diagnose",
    mixinStandardHelpOptions = true,
    description = {
      "Checks a posterior written by 'run' or 'train': simulation-based calibration (rank histograms",
      "and a chi-square test per parameter), expected coverage of its highest-density regions, a",
      "posterior predictive check at the observation, and C2ST against reference samples.",
      "Writes sbc_ranks.csv, coverage.csv, ppc.csv, summary.json, pair_plot.png, sbc_ranks.png",
      "and coverage.png to --out."
    })
final class DiagnoseCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  @Spec CommandSpec spec;

  @Option(names = "--task", required = true, description = "sbibm task the posterior was trained on")
  String task;

  @Option(names = "--observation", defaultValue = "1", description = "which of the task's observations, 1-10 (default ${DEFAULT-VALUE})")
  int observation;

  @Option(names = "--posterior", required = true, description = "posterior.bin written by 'run' or 'train'")
  Path posteriorFile;

  @Option(names = "--reference", description = "your own reference posterior samples (CSV with a header); default: sbibm's for the task and observation")
  Path reference;

  @Option(names = "--c2st-samples", defaultValue = "10000", description = "posterior draws compared with as many reference samples by C2ST, its main cost; 0 skips it (default ${DEFAULT-VALUE}, as sbibm)")
  int c2stSamples;

  @Option(names = "--sbc-runs", defaultValue = "200", description = "held-out simulations for SBC and coverage (default ${DEFAULT-VALUE})")
  int sbcRuns;

  @Option(names = "--posterior-draws", defaultValue = "1000", description = "posterior draws per held-out simulation (default ${DEFAULT-VALUE})")
  int posteriorDraws;

  @Option(names = "--predictive-draws", defaultValue = "1000", description = "simulations at posterior and at prior draws for the predictive check (default ${DEFAULT-VALUE})")
  int predictiveDraws;

  @Option(names = "--threads", description = "simulations at once (default: the number of processors)")
  Integer threads;

  @Option(names = "--seed", defaultValue = "0", description = "seeds every draw (default ${DEFAULT-VALUE})")
  long seed;

  @Option(names = "--out", required = true, description = "directory for the CSV files, summary.json and the plots")
  Path out;

  @Override
  public Integer call() throws IOException {
    long start = System.nanoTime();
    BenchmarkTask benchmark = BenchmarkTask.named(task);
    float[] observed;
    try {
      observed = benchmark.observation(observation);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--observation: " + e.getMessage());
    }
    DiagnosticsConfig config = config();
    try {
      OutputDirectory.check(out);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--out: " + e.getMessage());
    }
    float[][] referenceSamples = reference != null
        ? readReference(reference, benchmark.thetaDimension()) : benchmark.referencePosterior(observation);
    String referenceName = reference != null ? reference.toString() : "sbibm's reference posterior";
    Files.createDirectories(out);
    PrintWriter text = spec.commandLine().getOut();
    try (Posterior posterior = loadPosterior(benchmark)) {
      PosteriorEstimate estimate = PosteriorEstimate.of(posterior);
      CalibrationSample calibration = CalibrationSample.draw(benchmark.prior(), benchmark, estimate, config);
      SimulationBasedCalibration.Result sbc = SimulationBasedCalibration.of(calibration);
      ExpectedCoverage.Curve coverage = ExpectedCoverage.of(calibration, estimate, ExpectedCoverage.percentLevels());
      long calibrated = System.nanoTime();

      int drawsAtObservation = c2stSamples == 0 ? posteriorDraws : Math.min(c2stSamples, referenceSamples.length);
      float[][] draws = estimate.sample(drawsAtObservation, observed, seed);
      PosteriorPredictiveCheck.Result ppc = PosteriorPredictiveCheck.run(benchmark.prior(), benchmark, draws, observed, config);
      long predicted = System.nanoTime();
      Double c2st = null;
      if (c2stSamples > 0) {
        c2st = ClassifierTwoSampleTest.accuracy(Arrays.copyOf(referenceSamples, draws.length), draws, seed);
      }
      long compared = System.nanoTime();

      writeRanks(sbc);
      writeCoverage(coverage);
      writePredictive(ppc);
      PairPlot.write(draws, referenceSamples, out.resolve("pair_plot.png"));
      RankHistogramPlot.write(sbc, out.resolve("sbc_ranks.png"));
      CoveragePlot.write(coverage, out.resolve("coverage.png"));
      long end = System.nanoTime();
      double seconds = (end - start) / 1e9;
      ObjectNode timing = JSON.createObjectNode();
      timing.put("calibration", (calibrated - start) / 1e9);
      timing.put("posterior_predictive", (predicted - calibrated) / 1e9);
      timing.put("c2st", (compared - predicted) / 1e9);
      timing.put("writing", (end - compared) / 1e9);
      timing.put("total", seconds);
      writeSummary(sbc, coverage, ppc, c2st, referenceName, timing);

      text.printf(Locale.ROOT, "%s observation %d, posterior %s%n", task, observation, posteriorFile);
      text.printf(Locale.ROOT, "SBC (%d runs, %d draws, %d bins): chi-square p-values %s; Bonferroni min %.3g%n",
          sbc.ranks().length, sbc.posteriorDraws(), sbc.bins(), format(sbc.pValues()), sbc.adjustedMinPValue());
      text.printf(Locale.ROOT, "expected coverage: %.3f at 0.5, %.3f at 0.9 (calibrated: equal to the level)%n",
          coverage.at(0.5), coverage.at(0.9));
      text.printf(Locale.ROOT, "posterior predictive ||x - x_o||: median %.4g (prior predictive %.4g, ratio %.3f)%n",
          PosteriorPredictiveCheck.Result.quantile(ppc.posterior(), 0.5),
          PosteriorPredictiveCheck.Result.quantile(ppc.prior(), 0.5), ppc.medianRatio());
      text.println(c2st == null ? "C2ST: skipped (--c2st-samples 0)"
          : String.format(Locale.ROOT, "C2ST accuracy: %.4f against %s (%,d samples each)", c2st, referenceName, draws.length));
      text.printf(Locale.ROOT, "wrote %s in %.1f s (calibration %.1f s, predictive check %.1f s, C2ST %.1f s)%n", out, seconds,
          timing.get("calibration").asDouble(), timing.get("posterior_predictive").asDouble(), timing.get("c2st").asDouble());
      text.flush();
    }
    return 0;
  }

  private DiagnosticsConfig config() {
    positive("--sbc-runs", sbcRuns, 2);
    positive("--posterior-draws", posteriorDraws, 2);
    positive("--predictive-draws", predictiveDraws, 1);
    if (c2stSamples != 0) {
      positive("--c2st-samples", c2stSamples, 2);
    }
    int simulationThreads = threads != null ? threads : Runtime.getRuntime().availableProcessors();
    positive("--threads", simulationThreads, 1);
    return new DiagnosticsConfig(sbcRuns, posteriorDraws, predictiveDraws, simulationThreads, seed);
  }

  private static void positive(String option, int value, int minimum) {
    if (value < minimum) {
      throw new IllegalArgumentException(option + " must be at least " + minimum + ", got " + value);
    }
  }

  private static float[][] readReference(Path file, int dimension) {
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("--reference: no such file " + file);
    }
    float[][] rows;
    try {
      rows = CsvMatrix.read(file);
    } catch (UncheckedIOException e) {
      throw new IllegalArgumentException("--reference: cannot read " + file + ": " + e.getCause().getMessage());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--reference: " + e.getMessage());
    }
    if (rows.length < 2) {
      throw new IllegalArgumentException("--reference: " + file + " holds " + rows.length + " rows; C2ST needs at least 2");
    }
    if (rows[0].length != dimension) {
      throw new IllegalArgumentException(
          "--reference: " + file + " has " + rows[0].length + " columns, the task has " + dimension + " parameters");
    }
    return rows;
  }

  private Posterior loadPosterior(BenchmarkTask benchmark) {
    Posterior posterior = PosteriorFile.load(posteriorFile, benchmark.prior(), task + "'s", "--posterior");
    if (posterior.xDimension() != benchmark.xDimension()) {
      posterior.close();
      throw new IllegalArgumentException(
          "--posterior: " + posteriorFile + " takes x of " + posterior.xDimension() + " values, " + task + " has "
              + benchmark.xDimension());
    }
    return posterior;
  }

  private void writeRanks(SimulationBasedCalibration.Result sbc) throws IOException {
    try (BufferedWriter w = Files.newBufferedWriter(out.resolve("sbc_ranks.csv"))) {
      int d = sbc.pValues().length;
      for (int j = 0; j < d; j++) {
        w.write((j == 0 ? "" : ",") + "rank_" + (j + 1));
      }
      w.write('\n');
      for (int[] run : sbc.ranks()) {
        StringBuilder line = new StringBuilder();
        for (int j = 0; j < d; j++) {
          line.append(j == 0 ? "" : ",").append(run[j]);
        }
        w.write(line.append('\n').toString());
      }
    }
  }

  private void writeCoverage(ExpectedCoverage.Curve coverage) throws IOException {
    try (BufferedWriter w = Files.newBufferedWriter(out.resolve("coverage.csv"))) {
      w.write("level,expected_coverage\n");
      for (int k = 0; k < coverage.levels().length; k++) {
        w.write(String.format(Locale.ROOT, "%.2f,%.4f%n", coverage.levels()[k], coverage.coverage()[k]));
      }
    }
  }

  private void writePredictive(PosteriorPredictiveCheck.Result ppc) throws IOException {
    try (BufferedWriter w = Files.newBufferedWriter(out.resolve("ppc.csv"))) {
      w.write("posterior_predictive_distance,prior_predictive_distance\n");
      for (int i = 0; i < ppc.posterior().length; i++) {
        w.write(String.format(Locale.ROOT, "%.6g,%.6g%n", ppc.posterior()[i], ppc.prior()[i]));
      }
    }
  }

  private void writeSummary(
      SimulationBasedCalibration.Result sbc,
      ExpectedCoverage.Curve coverage,
      PosteriorPredictiveCheck.Result ppc,
      Double c2st,
      String referenceName,
      ObjectNode seconds)
      throws IOException {
    ObjectNode json = JSON.createObjectNode();
    json.put("task", task);
    json.put("observation", observation);
    json.put("posterior", posteriorFile.toString());
    ObjectNode sbcNode = json.putObject("sbc");
    sbcNode.put("runs", sbc.ranks().length);
    sbcNode.put("posterior_draws", sbc.posteriorDraws());
    sbcNode.put("bins", sbc.bins());
    ArrayNode pValues = sbcNode.putArray("chi_square_p_values");
    Arrays.stream(sbc.pValues()).forEach(pValues::add);
    sbcNode.put("bonferroni_min_p_value", sbc.adjustedMinPValue());
    ObjectNode coverageNode = json.putObject("expected_coverage");
    coverageNode.put("at_0_5", coverage.at(0.5));
    coverageNode.put("at_0_9", coverage.at(0.9));
    double worst = 0;
    for (int k = 0; k < coverage.levels().length; k++) {
      worst = Math.max(worst, Math.abs(coverage.coverage()[k] - coverage.levels()[k]));
    }
    coverageNode.put("max_abs_deviation", worst);
    ObjectNode ppcNode = json.putObject("posterior_predictive");
    summarise(ppcNode.putObject("posterior_distance"), ppc.posterior());
    summarise(ppcNode.putObject("prior_distance"), ppc.prior());
    ppcNode.put("median_ratio", ppc.medianRatio());
    if (c2st != null) {
      json.putObject("c2st").put("accuracy", c2st).put("reference", referenceName);
    } else {
      json.putNull("c2st");
    }
    json.set("seconds", seconds);
    JSON.writeValue(out.resolve("summary.json").toFile(), json);
  }

  private static void summarise(ObjectNode node, double[] distances) {
    node.put("mean", PosteriorPredictiveCheck.Result.mean(distances));
    for (double q : new double[] {0.05, 0.25, 0.5, 0.75, 0.95}) {
      node.put("q" + Math.round(q * 100), PosteriorPredictiveCheck.Result.quantile(distances, q));
    }
  }

  private static String format(double[] values) {
    StringBuilder s = new StringBuilder("[");
    for (int i = 0; i < values.length; i++) {
      s.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.3f", values[i]));
    }
    return s.append(']').toString();
  }
}

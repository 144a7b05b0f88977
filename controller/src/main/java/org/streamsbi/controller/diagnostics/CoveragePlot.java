package org.streamsbi.controller.diagnostics;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Expected coverage against the credibility level, with the diagonal of a calibrated posterior:
 * below it the posterior is overconfident, above it underconfident. The band shows how far the
 * held-out runs' sampling noise alone moves a calibrated posterior's curve.
 */
public final class CoveragePlot {
  static final int SIZE = 520;
  /** The 99.5% standard normal quantile: a calibrated curve stays inside ±Z·√(α(1 − α)/n) per level. */
  static final double Z_99 = 2.576;
  static final Color BAND = new Color(0xaa, 0xaa, 0xaa);

  private CoveragePlot() {}

  public static void write(ExpectedCoverage.Curve curve, Path file) throws IOException {
    XYChart chart =
        PanelGrid.panel(SIZE, "Expected coverage (" + curve.runs() + " runs)", "credibility level", "expected coverage");
    chart.getStyler().setLegendVisible(true);
    chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
    chart.getStyler().setXAxisMin(0.0).setXAxisMax(1.0).setYAxisMin(0.0).setYAxisMax(1.0);
    XYSeries diagonal = chart.addSeries("calibrated", new double[] {0, 1}, new double[] {0, 1});
    diagonal.setMarker(SeriesMarkers.NONE);
    diagonal.setLineColor(PanelGrid.GUIDE);
    diagonal.setLineStyle(SeriesLines.DASH_DASH);
    double[] grid = new double[101];
    double[] low = new double[grid.length];
    double[] high = new double[grid.length];
    for (int k = 0; k < grid.length; k++) {
      grid[k] = k / 100.0;
      double halfWidth = Z_99 * Math.sqrt(grid[k] * (1 - grid[k]) / curve.runs());
      low[k] = Math.max(0, grid[k] - halfWidth);
      high[k] = Math.min(1, grid[k] + halfWidth);
    }
    for (double[] bound : new double[][] {low, high}) {
      XYSeries band = chart.addSeries(bound == low ? "99% band of a calibrated posterior" : " ", grid, bound);
      band.setMarker(SeriesMarkers.NONE);
      band.setLineColor(BAND);
      band.setLineStyle(SeriesLines.DOT_DOT);
      band.setShowInLegend(bound == low);
    }
    double[] levels = new double[curve.levels().length + 2];
    double[] coverage = new double[levels.length];
    System.arraycopy(curve.levels(), 0, levels, 1, curve.levels().length);
    System.arraycopy(curve.coverage(), 0, coverage, 1, curve.coverage().length);
    levels[levels.length - 1] = 1;
    coverage[coverage.length - 1] = 1;
    XYSeries estimate = chart.addSeries("posterior", levels, coverage);
    estimate.setMarker(SeriesMarkers.NONE);
    estimate.setLineColor(PanelGrid.POSTERIOR);
    PanelGrid.write(new XYChart[][] {{chart}}, SIZE, file);
  }
}

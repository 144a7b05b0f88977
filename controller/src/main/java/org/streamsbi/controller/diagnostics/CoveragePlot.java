package org.streamsbi.controller.diagnostics;

import java.io.IOException;
import java.nio.file.Path;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Expected coverage against the credibility level, with the diagonal of a calibrated posterior:
 * below it the posterior is overconfident, above it underconfident.
 */
public final class CoveragePlot {
  static final int SIZE = 520;

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

package org.streamsbi.controller.diagnostics;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PlotsTest {
  @TempDir Path dir;

  private final ConjugateGaussian model = new ConjugateGaussian(3, 1.0, 0.25);
  private final float[] observation = {0.5f, -0.2f, 0.1f};

  private static BufferedImage read(Path file) throws IOException {
    assertTrue(Files.size(file) > 5_000, file + " holds " + Files.size(file) + " bytes");
    BufferedImage image = ImageIO.read(file.toFile());
    assertNotNull(image, file + " is not a readable image");
    return image;
  }

  private static Set<Integer> colours(BufferedImage image) {
    Set<Integer> colours = new HashSet<>();
    for (int y = 0; y < image.getHeight(); y += 2) {
      for (int x = 0; x < image.getWidth(); x += 2) {
        colours.add(image.getRGB(x, y) & 0xFFFFFF);
      }
    }
    return colours;
  }

  /** Pixels whose hue is near that colour's: its series were drawn. */
  private static int pixelsLike(BufferedImage image, Color colour) {
    float hue = Color.RGBtoHSB(colour.getRed(), colour.getGreen(), colour.getBlue(), null)[0];
    int count = 0;
    for (int y = 0; y < image.getHeight(); y++) {
      for (int x = 0; x < image.getWidth(); x++) {
        Color c = new Color(image.getRGB(x, y));
        float[] hsb = Color.RGBtoHSB(c.getRed(), c.getGreen(), c.getBlue(), null);
        if (hsb[1] > 0.3f && Math.abs(hsb[0] - hue) < 0.03f) {
          count++;
        }
      }
    }
    return count;
  }

  @Test
  void pairPlotShowsThePosteriorAndTheReferenceOverIt() throws IOException {
    float[][] draws = model.posterior(1.3, 0.1).sample(1_000, observation, 1);
    float[][] reference = model.exactPosterior().sample(1_000, observation, 2);
    Path withReference = dir.resolve("pair.png");
    PairPlot.write(draws, reference, withReference);
    BufferedImage image = read(withReference);
    assertTrue(image.getWidth() >= 3 * PairPlot.PANEL && image.getHeight() >= 3 * PairPlot.PANEL);
    assertTrue(colours(image).size() > 20, "colours: " + colours(image).size());
    assertTrue(pixelsLike(image, PanelGrid.POSTERIOR) > 1_000);
    assertTrue(pixelsLike(image, PanelGrid.REFERENCE) > 1_000);

    Path alone = dir.resolve("alone.png");
    PairPlot.write(draws, null, alone);
    BufferedImage without = read(alone);
    assertTrue(pixelsLike(without, PanelGrid.POSTERIOR) > 1_000);
    assertTrue(pixelsLike(without, PanelGrid.REFERENCE) < 50, "reference colour without a reference");
  }

  @Test
  void pairPlotRefusesAReferenceOfAnotherWidth() {
    float[][] draws = model.exactPosterior().sample(10, observation, 1);
    float[][] narrow = new float[10][2];
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> PairPlot.write(draws, narrow, dir.resolve("x.png")));
    assertTrue(e.getMessage().contains("2 columns"), e.getMessage());
  }

  @Test
  void rankHistogramsAndCoverageCurveAreDrawn() throws IOException {
    DiagnosticsConfig config = new DiagnosticsConfig(100, 200, 10, 2, 4);
    PosteriorEstimate posterior = model.exactPosterior();
    CalibrationSample sample = CalibrationSample.draw(model.prior(), model.simulator(), posterior, config);

    Path ranks = dir.resolve("sbc_ranks.png");
    RankHistogramPlot.write(SimulationBasedCalibration.of(sample), ranks);
    BufferedImage histograms = read(ranks);
    assertTrue(histograms.getWidth() >= 3 * RankHistogramPlot.PANEL, "one panel per dimension");
    assertTrue(pixelsLike(histograms, PanelGrid.POSTERIOR) > 3 * 2_000, "bars in every panel");

    Path coverage = dir.resolve("coverage.png");
    CoveragePlot.write(ExpectedCoverage.of(sample, posterior, ExpectedCoverage.percentLevels()), coverage);
    BufferedImage curve = read(coverage);
    assertTrue(colours(curve).size() > 5);
    assertTrue(pixelsLike(curve, PanelGrid.POSTERIOR) > 200, "the coverage line");
  }
}

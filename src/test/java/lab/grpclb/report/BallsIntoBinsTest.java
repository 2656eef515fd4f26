package lab.grpclb.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The exact expectation against cases worked by hand, the large-M limit, and a seeded simulation. */
class BallsIntoBinsTest {

  @Test
  void oneBallInOneBinIsEven() {
    assertEquals(1.0, new BallsIntoBins(1, 1).expectedMaxOverMean(), 1e-12);
  }

  @Test
  void twoBallsInTwoBinsShareOneHalfTheTime() {
    // both in one bin (max 2) with probability 1/2, one each (max 1) otherwise: E[max] = 1.5, mean 1
    assertEquals(1.5, new BallsIntoBins(2, 2).expectedMaxOverMean(), 1e-12);
    assertEquals(0.5, new BallsIntoBins(2, 2).atMost(1), 1e-12);
  }

  @Test
  void oneBallPerClientOnManyPodsLoadsOnePodFully() {
    assertEquals(10.0, new BallsIntoBins(1, 10).expectedMaxOverMean(), 1e-12, "one connection: max/mean is N");
  }

  @Test
  void manyBallsPerBinComeCloseToEven() {
    double ratio = new BallsIntoBins(2000, 2).expectedMaxOverMean();
    // two bins: E[max] = m/2 + E|X - m/2| with X ~ Binomial(m, 1/2), about sqrt(m / (2π)) above the mean
    assertEquals(1 + Math.sqrt(2000 / (2 * Math.PI)) / 1000, ratio, 1e-3);
    assertTrue(ratio < 1.02, String.valueOf(ratio));
  }

  @Test
  void theExactValueMatchesASeededSimulation() {
    int balls = 10;
    int bins = 10;
    int trials = 200_000;
    Random random = new Random(26);
    double sum = 0;
    double squares = 0;
    for (int t = 0; t < trials; t++) {
      int[] count = new int[bins];
      int max = 0;
      for (int b = 0; b < balls; b++) {
        max = Math.max(max, ++count[random.nextInt(bins)]);
      }
      sum += max;
      squares += (double) max * max;
    }
    double mean = sum / trials;
    double standardError = Math.sqrt((squares / trials - mean * mean) / trials);
    // the simulation's own error is about 0.002 here: five of them allow for it
    assertEquals(mean, new BallsIntoBins(balls, bins).expectedMaxOverMean(), 5 * standardError);
  }

  @Test
  void quantilesBracketTheExpectation() {
    BallsIntoBins bins = new BallsIntoBins(50, 10);
    assertTrue(bins.maxOverMeanAt(0.1) <= bins.expectedMaxOverMean());
    assertTrue(bins.expectedMaxOverMean() <= bins.maxOverMeanAt(0.9));
    assertTrue(bins.maxOverMeanAt(1.0) <= 10, "never more than every ball in one bin: 50 / 5");
  }

  @Test
  void theFleetThatIsGoodEnoughIsTheFirstCrossingAndQuickToFind() {
    long start = System.nanoTime();
    int from = BallsIntoBins.fewestBallsWithin(10, 1.3, 1000);
    long ms = (System.nanoTime() - start) / 1_000_000;
    assertTrue(from > 50, "50 connections on 10 pods are far from even: " + from);
    assertTrue(new BallsIntoBins(from, 10).expectedMaxOverMean() <= 1.3);
    assertTrue(new BallsIntoBins(from - 1, 10).expectedMaxOverMean() > 1.3);
    assertTrue(ms < 5_000, "a report computes it once: " + ms + " ms");
    assertEquals(-1, BallsIntoBins.fewestBallsWithin(10, 1.01, 100), "not within 10 per pod");
  }

  @Test
  void noBallsIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> new BallsIntoBins(0, 3));
  }
}

package lab.grpclb.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The random-subset expectation against what follows without simulation, and against itself. */
class SubsetDrawsTest {

  @Test
  void oneClientLoadsItsSubsetOnly() {
    assertEquals(10 / 3.0, new SubsetDraws(1, 10, 3).expectedMaxOverMean(), 1e-9, "3 pods of 10 carry it all");
    assertEquals(1, new SubsetDraws(7, 5, 5).expectedMaxOverMean(), 1e-9, "every client on every pod");
  }

  @Test
  void aSubsetOfOneIsBallsIntoBins() {
    SubsetDraws draws = new SubsetDraws(20, 10, 1);
    BallsIntoBins bins = new BallsIntoBins(20, 10);
    assertEquals(bins.expectedMaxOverMean(), draws.expectedMaxOverMean(), 0.01, "the exact expectation");
    assertEquals(bins.maxOverMeanAt(0.9), draws.maxOverMeanAt(0.9), 1e-9);
  }

  @Test
  void fiftyClientsOfThreeOfTenPodsAreUnevenAsTheFleetSectionReports() {
    SubsetDraws draws = new SubsetDraws(50, 10, 3);
    double expected = draws.expectedMaxOverMean();
    assertTrue(expected > 1.3 && expected < 1.4, "about 1.36: " + expected);
    assertTrue(draws.maxOverMeanAt(0.1) < 1.3 && draws.maxOverMeanAt(0.9) > 1.45, "a wide spread");
    double within = draws.shareWithin(1.3);
    assertTrue(within > 0.25 && within < 0.45, "a third of fleets within 1.3: " + within);
    assertEquals(expected, new SubsetDraws(50, 10, 3).expectedMaxOverMean(), "seeded: the same every time");
  }
}

package lab.grpclb.balance;

import static lab.grpclb.balance.EndpointWeight.WeightState.BLACKOUT;
import static lab.grpclb.balance.EndpointWeight.WeightState.EXPIRED;
import static lab.grpclb.balance.EndpointWeight.WeightState.NO_REPORT;
import static lab.grpclb.balance.EndpointWeight.WeightState.USABLE;
import static lab.grpclb.balance.EndpointWeight.weightOf;
import static org.junit.jupiter.api.Assertions.assertEquals;

import lab.grpclb.config.WeightedRoundRobinConfig;
import org.junit.jupiter.api.Test;

/** gRFC A58's weight of one endpoint: its formula, and the blackout and expiration judged when it is read. */
class EndpointWeightTest {
  static final long SECOND = 1_000_000_000L;
  /** A58's defaults: 10 s blackout, 3 min expiration, penalty 1. */
  static final WeightedRoundRobinConfig A58 = WeightedRoundRobinConfig.DEFAULT;

  /** 100 qps at 50 % CPU: weight 200. */
  static LoadReport busyHalf() {
    return new LoadReport(0.5, 0, 100, 0);
  }

  @Test
  void theWeightIsQpsOverUtilizationWithTheErrorRatePenalized() {
    assertEquals(200, weightOf(busyHalf(), 1.0), 1e-9);
    assertEquals(400, weightOf(new LoadReport(0.5, 0.25, 100, 0), 1.0), 1e-9, "the application's utilization first");
    assertEquals(100 / 0.6, weightOf(new LoadReport(0.5, 0, 100, 10), 1.0), 1e-9, "10 % errors add 0.1");
    assertEquals(100 / 0.7, weightOf(new LoadReport(0.5, 0, 100, 10), 2.0), 1e-9, "x the penalty");
    assertEquals(200, weightOf(new LoadReport(0.5, 0, 100, 10), 0), 1e-9, "penalty 0: errors do not count");
  }

  @Test
  void aReportWithoutQpsOrUtilizationGivesNoWeight() {
    assertEquals(0, weightOf(new LoadReport(0.5, 0, 0, 0), 1.0));
    assertEquals(0, weightOf(new LoadReport(0, 0, 100, 0), 1.0));
    assertEquals(0, weightOf(new LoadReport(-0.5, 0, 100, 0), 1.0));
    assertEquals(0, weightOf(new LoadReport(Double.NaN, 0, 100, 0), 1.0));
    EndpointWeight weight = new EndpointWeight(A58);
    weight.reported(new LoadReport(0.5, 0, 0, 0), 0);
    assertEquals(NO_REPORT, weight.stateAt(20 * SECOND), "an idle pod's report starts nothing");
    assertEquals(new LoadReport(0.5, 0, 0, 0), weight.status(SECOND).lastReport().report(), "but /status shows it");
  }

  @Test
  void aWeightCountsOnlyOnceReportsHaveComeForTheBlackout() {
    EndpointWeight weight = new EndpointWeight(A58);
    weight.reported(busyHalf(), 0);
    weight.reported(busyHalf(), 5 * SECOND); // the blackout still counts from the first
    assertEquals(BLACKOUT, weight.stateAt(10 * SECOND - 1));
    assertEquals(0, weight.weightAt(10 * SECOND - 1));
    assertEquals(USABLE, weight.stateAt(10 * SECOND));
    assertEquals(200, weight.weightAt(10 * SECOND));
  }

  @Test
  void anExpiredWeightIsDroppedAndTheBlackoutStartsAgain() {
    EndpointWeight weight = new EndpointWeight(A58);
    weight.reported(busyHalf(), 0);
    weight.reported(busyHalf(), 170 * SECOND);
    assertEquals(200, weight.weightAt(200 * SECOND), "170 s old is not 3 min old");
    assertEquals(EXPIRED, weight.stateAt(350 * SECOND));
    assertEquals(0, weight.weightAt(350 * SECOND));
    weight.reported(new LoadReport(0.25, 0, 100, 0), 360 * SECOND);
    assertEquals(BLACKOUT, weight.stateAt(369 * SECOND), "fresh reports wait out the blackout again");
    assertEquals(400, weight.weightAt(370 * SECOND));
  }

  @Test
  void turningReadyAgainRestartsTheBlackoutFromTheNextReport() {
    EndpointWeight weight = new EndpointWeight(A58);
    weight.reported(busyHalf(), 0);
    assertEquals(USABLE, weight.stateAt(12 * SECOND));
    weight.becameReady();
    assertEquals(BLACKOUT, weight.stateAt(12 * SECOND), "a reconnected endpoint's old weight waits");
    weight.reported(busyHalf(), 15 * SECOND);
    assertEquals(BLACKOUT, weight.stateAt(24 * SECOND));
    assertEquals(USABLE, weight.stateAt(25 * SECOND));
  }

  @Test
  void withoutABlackoutTheFirstReportCounts() {
    EndpointWeight weight = new EndpointWeight(new WeightedRoundRobinConfig(0, 180_000, 1_000, 1.0, false, 10_000));
    weight.reported(busyHalf(), 0);
    assertEquals(200, weight.weightAt(0));
    weight.becameReady();
    assertEquals(200, weight.weightAt(SECOND), "A58: the blackout check is skipped when it is 0");
    assertEquals(new EndpointWeight.WeightStatus(USABLE, 200, new EndpointWeight.LastReport(busyHalf(), 1_500)),
        weight.status(SECOND + 500_000_000L));
  }
}

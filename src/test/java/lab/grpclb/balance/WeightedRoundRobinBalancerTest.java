package lab.grpclb.balance;

import static lab.grpclb.balance.ConnectivityState.IDLE;
import static lab.grpclb.balance.ConnectivityState.READY;
import static lab.grpclb.balance.FakeHelper.endpoints;
import static lab.grpclb.balance.FakeHelper.key;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.TreeMap;
import lab.grpclb.config.LbPolicy;
import lab.grpclb.config.WeightedRoundRobinConfig;
import org.junit.jupiter.api.Test;

/**
 * weighted_round_robin over fake subchannels on a fake clock (grpc-java's {@code WeightedRoundRobinLoadBalancerTest}):
 * reports become weights after the blackout, the picker takes them at the next update, an endpoint without a weight
 * gets the mean, and out-of-band reports are asked for only when configured.
 */
class WeightedRoundRobinBalancerTest {
  static final String A = "10.0.0.1";
  static final String B = "10.0.0.2";
  static final String C = "10.0.0.3";
  /** A58's defaults: 10 s blackout, 3 min expiration, 1 s updates. */
  static final WeightedRoundRobinConfig A58 = WeightedRoundRobinConfig.DEFAULT;
  /** No blackout, 5 s expiration, 1 s updates. */
  static final WeightedRoundRobinConfig QUICK = new WeightedRoundRobinConfig(0, 5_000, 1_000, 1.0, false, 10_000);

  final FakeHelper helper = new FakeHelper();
  WeightedRoundRobinBalancer balancer;

  void start(WeightedRoundRobinConfig config, String... ips) {
    balancer = new WeightedRoundRobinBalancer(helper, config, 0);
    balancer.acceptEndpoints(endpoints(ips));
    for (String ip : ips) {
      helper.subchannel(ip).enter(READY);
    }
  }

  /** The pod at {@code ip} reports {@code qps} at 50 % CPU: weight 2 x qps. */
  void report(String ip, double qps) {
    helper.subchannel(ip).report(new LoadReport(0.5, 0, qps, 0));
  }

  /** Each second for {@code seconds}, A, B and C report 100, 200 and 400 qps at the same CPU: weights 1:2:4. */
  void reportOneTwoFour(int seconds) {
    for (int i = 0; i < seconds; i++) {
      report(A, 100);
      report(B, 200);
      report(C, 400);
      helper.clock.advanceMs(1_000);
    }
  }

  Map<String, Integer> split(int picks) {
    Map<String, Integer> counts = new TreeMap<>();
    for (int i = 0; i < picks; i++) {
      counts.merge(helper.picker().pick(LbPolicy.WEIGHTED_ROUND_ROBIN, null).key(), 1, Integer::sum);
    }
    return counts;
  }

  static void assertSplit(Map<String, Integer> expected, Map<String, Integer> counts, int tolerance) {
    assertEquals(expected.keySet(), counts.keySet(), counts.toString());
    expected.forEach((key, n) -> assertTrue(Math.abs(counts.get(key) - n) <= tolerance,
        key + ": " + counts + ", expected " + expected + " ± " + tolerance));
  }

  @Test
  void picksInProportionToTheReportedWeightsOnceTheBlackoutIsOver() {
    start(A58, A, B, C);
    reportOneTwoFour(9);
    assertSplit(Map.of(key(A), 1_000, key(B), 1_000, key(C), 1_000), split(3_000), 0);
    reportOneTwoFour(1); // the update at 10 s finds 10 s of reports
    assertSplit(Map.of(key(A), 1_000, key(B), 2_000, key(C), 4_000), split(7_000), 5);
  }

  @Test
  void newWeightsWaitForTheNextUpdate() {
    start(QUICK, A, B, C);
    helper.clock.advanceMs(500);
    report(A, 100);
    report(B, 200);
    report(C, 400);
    assertSplit(Map.of(key(A), 1_000, key(B), 1_000, key(C), 1_000), split(3_000), 0);
    helper.clock.advanceMs(499);
    assertSplit(Map.of(key(A), 1_000, key(B), 1_000, key(C), 1_000), split(3_000), 0);
    helper.clock.advanceMs(1); // the update at 1 s
    assertSplit(Map.of(key(A), 1_000, key(B), 2_000, key(C), 4_000), split(7_000), 5);
  }

  @Test
  void anEndpointWithoutAWeightGetsTheMeanOfTheOthers() {
    start(QUICK, A, B, C);
    report(A, 100); // 200
    report(C, 400); // 800; B reports nothing: the mean, 500
    helper.clock.advanceMs(1_000);
    assertSplit(Map.of(key(A), 2_000, key(B), 5_000, key(C), 8_000), split(15_000), 5);
  }

  @Test
  void anExpiredWeightFallsBackToTheMean() {
    start(QUICK, A, B, C);
    for (int i = 0; i < 6; i++) { // C reports once only
      report(A, 100);
      report(B, 300);
      if (i == 0) {
        report(C, 1_000);
      }
      helper.clock.advanceMs(1_000);
    }
    // C's report is 6 s old at the update at 6 s: expired after 5 s; C weighs the mean of 200 and 600
    assertSplit(Map.of(key(A), 2_000, key(B), 6_000, key(C), 4_000), split(12_000), 5);
  }

  @Test
  void aReconnectedEndpointWaitsOutTheBlackoutAgain() {
    start(A58, A, B, C);
    reportOneTwoFour(10);
    helper.subchannel(C).enter(IDLE, "GOAWAY");
    helper.subchannel(C).enter(READY);
    reportOneTwoFour(1);
    // C's weight waits 10 s from its next report: it weighs the mean of A's and B's (1.5 against 1 and 2)
    assertSplit(Map.of(key(A), 2_000, key(B), 4_000, key(C), 3_000), split(9_000), 5);
    reportOneTwoFour(9);
    assertSplit(Map.of(key(A), 1_000, key(B), 2_000, key(C), 4_000), split(7_000), 5);
  }

  @Test
  void outOfBandReportsAreAskedForAtThePeriodOnlyWhenEnabled() {
    start(A58, A, B);
    assertEquals(0, helper.subchannel(A).oobPeriodMs, "per-call reports by default");
    FakeHelper other = new FakeHelper();
    new WeightedRoundRobinBalancer(other, new WeightedRoundRobinConfig(10_000, 180_000, 1_000, 1.0, true, 2_500), 0)
        .acceptEndpoints(endpoints(A, B));
    assertEquals(2_500, other.subchannel(A).oobPeriodMs);
    assertEquals(2_500, other.subchannel(B).oobPeriodMs);
  }

  @Test
  void theStatusShowsEachWeightAndTheLastReport() {
    start(A58, A, B);
    report(A, 100);
    helper.clock.advanceMs(1_500);
    Map<String, EndpointWeight.WeightStatus> weights = balancer.weights();
    assertEquals(new EndpointWeight.WeightStatus(EndpointWeight.WeightState.BLACKOUT, 200,
        new EndpointWeight.LastReport(new LoadReport(0.5, 0, 100, 0), 1_500)), weights.get(key(A)));
    assertEquals(new EndpointWeight.WeightStatus(EndpointWeight.WeightState.NO_REPORT, 0, null), weights.get(key(B)));
  }

  @Test
  void updatesGoOnWhenTheEndpointsLeaveAndComeBack() {
    start(QUICK, A, B);
    balancer.acceptEndpoints(endpoints()); // the last picker's endpoints have no weights any more
    helper.clock.advanceMs(1_000);
    assertEquals("the Service has no endpoints", helper.picker().noneReason());
    balancer.acceptEndpoints(endpoints(C));
    helper.subchannel(C).enter(READY);
    report(C, 100);
    helper.clock.advanceMs(1_000);
    assertEquals(1, helper.clock.pendingTimers(), "still updating");
    assertEquals(EndpointWeight.WeightState.USABLE, balancer.weights().get(key(C)).state());
    assertEquals(Map.of(key(C), 10), split(10));
  }

  @Test
  void closingStopsTheUpdates() {
    start(A58, A);
    assertEquals(1, helper.clock.pendingTimers(), "the weight update");
    helper.clock.advanceMs(3_000);
    assertEquals(1, helper.clock.pendingTimers(), "one at a time");
    balancer.close();
    assertEquals(0, helper.clock.pendingTimers());
  }
}

package lab.grpclb.balance;

import static lab.grpclb.balance.ConnectivityState.READY;
import static lab.grpclb.balance.FakeHelper.endpoints;
import static lab.grpclb.balance.FakeHelper.key;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import lab.grpclb.config.LbPolicy;
import lab.grpclb.config.SlowStartConfig;
import org.junit.jupiter.api.Test;

/**
 * Envoy's slow start on round_robin and least_request, on a fake clock: the ramp's arithmetic at points of the window,
 * the first endpoints never slowed, an endpoint that joins later taking its ramp's share, and the policy's own picker
 * back when the window ends.
 */
class SlowStartTest {
  static final String A = "10.0.0.1";
  static final String B = "10.0.0.2";
  static final String C = "10.0.0.3";
  /** A 10 s window, linear, from 10 % (Envoy's defaults but the window). */
  static final SlowStartConfig LINEAR = new SlowStartConfig(10_000, 1.0, 10);
  /** The same window with aggression 2: the square root of the time's share. */
  static final SlowStartConfig AGGRESSIVE = new SlowStartConfig(10_000, 2.0, 10);

  final FakeHelper helper = new FakeHelper();

  @Test
  void theFactorGrowsWithTimeReadyAboveTheMinimumWeight() {
    assertEquals(0.1, LINEAR.weightAt(0), 1e-12, "at least 1 ms counts: 0.0001, raised to the minimum");
    assertEquals(0.1, LINEAR.weightAt(500), 1e-12);
    assertEquals(0.25, LINEAR.weightAt(2_500), 1e-12);
    assertEquals(0.5, LINEAR.weightAt(5_000), 1e-12);
    assertEquals(0.9, LINEAR.weightAt(9_000), 1e-12);
    assertEquals(1, LINEAR.weightAt(10_000), 1e-12, "the window is over");
    assertEquals(0.1, AGGRESSIVE.weightAt(50), 1e-12, "sqrt(0.005) = 0.07, raised to the minimum");
    assertEquals(0.5, AGGRESSIVE.weightAt(2_500), 1e-12);
    assertEquals(Math.sqrt(0.5), AGGRESSIVE.weightAt(5_000), 1e-12);
    assertEquals(0.0001, new SlowStartConfig(10_000, 1.0, 0).weightAt(0), 1e-12, "no minimum: 1 ms of 10 s");
  }

  RoundRobinBalancer roundRobin(SlowStartConfig config) {
    return new RoundRobinBalancer(helper, config, 0, new Random(1));
  }

  Map<String, Integer> split(LbPolicy policy, int picks) {
    Map<String, Integer> counts = new TreeMap<>();
    for (int i = 0; i < picks; i++) {
      counts.merge(helper.picker().pick(policy, null).key(), 1, Integer::sum);
    }
    return counts;
  }

  /**
   * The counts within {@code tolerance}: an EDF deadline queued before the weights changed stands (in Envoy too), so
   * an endpoint whose weight grew may come up to 1 / its old weight late, a few picks in these splits.
   */
  static void assertSplit(Map<String, Integer> expected, Map<String, Integer> counts, int tolerance) {
    assertEquals(expected.keySet(), counts.keySet(), counts.toString());
    expected.forEach((key, n) -> assertTrue(Math.abs(counts.get(key) - n) <= tolerance,
        key + ": " + counts + ", expected " + expected + " ± " + tolerance));
  }

  Picker<Subchannel> picker() {
    return ((SubchannelPicker.Ready) helper.picker()).picker();
  }

  /** A and B serve from the start; C joins the Service 1 s later and turns READY 2 s after that, at 3 s. */
  void cJoinsLater(LoadBalancer balancer) {
    balancer.acceptEndpoints(endpoints(A, B));
    helper.subchannel(A).enter(READY);
    helper.clock.advanceMs(1_000);
    helper.subchannel(B).enter(READY);
    balancer.acceptEndpoints(endpoints(A, B, C));
    helper.clock.advanceMs(2_000);
    helper.subchannel(C).enter(READY);
  }

  @Test
  void theFirstEndpointsAreNotSlowedWhenTheyTurnReadyApart() {
    RoundRobinBalancer balancer = roundRobin(LINEAR);
    balancer.acceptEndpoints(endpoints(A, B));
    helper.subchannel(A).enter(READY);
    helper.clock.advanceMs(1_000);
    helper.subchannel(B).enter(READY);
    assertInstanceOf(Picker.RoundRobin.class, picker(), "B was at the first host set");
    assertEquals(Map.of(key(A), 500, key(B), 500), split(LbPolicy.ROUND_ROBIN, 1_000));
    assertEquals(0, helper.clock.pendingTimers(), "nothing ramps: no timer");
  }

  @Test
  void anEndpointThatJoinsLaterRampsUpOverTheWindow() {
    RoundRobinBalancer balancer = roundRobin(LINEAR);
    cJoinsLater(balancer);
    assertInstanceOf(EdfPicker.class, picker());
    // C weighs 0.1 against 1 and 1 when it turns READY, then 0.25 at 2.5 s, 0.5 at 5 s
    assertSplit(Map.of(key(A), 1_000, key(B), 1_000, key(C), 100), split(LbPolicy.ROUND_ROBIN, 2_100), 2);
    helper.clock.advanceMs(2_500);
    assertSplit(Map.of(key(A), 1_000, key(B), 1_000, key(C), 250), split(LbPolicy.ROUND_ROBIN, 2_250), 6);
    helper.clock.advanceMs(2_500);
    assertSplit(Map.of(key(A), 1_000, key(B), 1_000, key(C), 500), split(LbPolicy.ROUND_ROBIN, 2_500), 6);
    int published = helper.pickers.size();
    helper.clock.advanceMs(5_000); // the window's end: round robin's own picker again
    assertEquals(published + 1, helper.pickers.size());
    assertInstanceOf(Picker.RoundRobin.class, picker());
    assertEquals(Map.of(key(A), 1_000, key(B), 1_000, key(C), 1_000), split(LbPolicy.ROUND_ROBIN, 3_000));
  }

  @Test
  void aHigherAggressionRampsFasterAtFirst() {
    cJoinsLater(roundRobin(AGGRESSIVE));
    helper.clock.advanceMs(2_500);
    // sqrt(0.25) = 0.5 where the linear ramp gives 0.25
    assertSplit(Map.of(key(A), 1_000, key(B), 1_000, key(C), 500), split(LbPolicy.ROUND_ROBIN, 2_500), 6);
  }

  @Test
  void leastRequestWeighsTheRampAndTheCallsInFlightAsEnvoyDoes() {
    LeastRequestBalancer balancer = new LeastRequestBalancer(helper, LINEAR, new Random(1));
    cJoinsLater(balancer);
    helper.clock.advanceMs(5_000);
    helper.subchannel(A).load().callStarted(); // A: 1 / (1 + 1); B: 1; C: 1 x 0.5
    assertSplit(Map.of(key(A), 1_000, key(B), 2_000, key(C), 1_000), split(LbPolicy.LEAST_REQUEST, 4_000), 6);
    helper.clock.advanceMs(5_000);
    assertInstanceOf(LeastRequestPicker.class, picker(), "two random choices again once C has ramped");
  }

  @Test
  void anEndpointThatLeavesWhileRampingTakesItsRampWithIt() {
    RoundRobinBalancer balancer = roundRobin(LINEAR);
    cJoinsLater(balancer);
    balancer.acceptEndpoints(endpoints(A, B));
    assertInstanceOf(Picker.RoundRobin.class, picker());
    assertEquals(List.of(key(A), key(B)), picker().targets().stream().map(Subchannel::key).toList());
    assertEquals(0, helper.clock.pendingTimers(), "the ramp's end no longer matters");
  }
}

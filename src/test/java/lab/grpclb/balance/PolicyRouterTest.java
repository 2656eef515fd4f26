package lab.grpclb.balance;

import static lab.grpclb.balance.ConnectivityState.READY;
import static lab.grpclb.balance.ConnectivityState.TRANSIENT_FAILURE;
import static lab.grpclb.balance.FakeHelper.endpoints;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import lab.grpclb.config.BalancerConfig;
import lab.grpclb.config.FleetConfig;
import lab.grpclb.config.FleetPolicy;
import lab.grpclb.config.HealthCheck;
import lab.grpclb.config.LbPolicy;
import lab.grpclb.config.OutlierEjection;
import lab.grpclb.config.SlowStartConfig;
import lab.grpclb.config.WeightedRoundRobinConfig;
import lab.grpclb.discovery.Endpoint;
import lab.grpclb.discovery.EndpointSet;
import org.junit.jupiter.api.Test;

/**
 * The policies side by side: one connection per endpoint for all of them, each call picked by its own, and each
 * load report heard by every policy that listens.
 */
class PolicyRouterTest {
  final FakeHelper helper = new FakeHelper();
  final PolicyRouter router = PolicyRouter.ofAllPolicies(helper, BalancerConfig.DEFAULT);

  @Test
  void everyPolicySharesOneSubchannelPerEndpoint() {
    router.acceptEndpoints(endpoints("10.0.0.1", "10.0.0.2"));
    assertEquals(2, helper.created, "not one per policy");
    assertEquals(1, helper.pickers.size(), "the three children publish once, together");
    helper.subchannel("10.0.0.1").enter(READY);
    assertEquals(2, helper.pickers.size(), "one state change, one publication");
    for (LbPolicy policy : LbPolicy.values()) {
      if (policy != LbPolicy.PICK_FIRST) { // it waits for the first of its shuffled list, which may be 10.0.0.2
        assertEquals("10.0.0.1:50051", helper.picker().pick(policy, null).key(), policy.wireName());
      }
    }
    helper.subchannel("10.0.0.2").enter(TRANSIENT_FAILURE, "refused");
    assertEquals("10.0.0.1:50051", helper.picker().pick(LbPolicy.PICK_FIRST, null).key(), "the one connection left");
  }

  @Test
  void eachCallPicksWithItsOwnPolicy() {
    router.acceptEndpoints(endpoints("10.0.0.1", "10.0.0.2"));
    helper.subchannels.values().forEach(s -> s.enter(READY));
    FakeSubchannel busy = helper.subchannel("10.0.0.1");
    for (int i = 0; i < 5; i++) {
      busy.load().callStarted(); // five calls in flight there
    }
    Map<String, Integer> leastRequest = new HashMap<>();
    Map<String, Integer> roundRobin = new HashMap<>();
    for (int i = 0; i < 400; i++) {
      leastRequest.merge(helper.picker().pick(LbPolicy.LEAST_REQUEST, null).key(), 1, Integer::sum);
      roundRobin.merge(helper.picker().pick(LbPolicy.ROUND_ROBIN, null).key(), 1, Integer::sum);
    }
    assertEquals(Map.of("10.0.0.1:50051", 200, "10.0.0.2:50051", 200), roundRobin, "round robin ignores load");
    assertTrue(leastRequest.getOrDefault("10.0.0.1:50051", 0) < 150,
        "least_request avoids the busy one but for its 1/4 of draws twice: " + leastRequest);
  }

  @Test
  void aRetryAvoidsTheLastEndpointWhateverThePolicy() {
    router.acceptEndpoints(endpoints("10.0.0.1", "10.0.0.2"));
    helper.subchannels.values().forEach(s -> s.enter(READY));
    for (LbPolicy policy : LbPolicy.values()) {
      Subchannel first = helper.picker().pick(policy, null);
      if (policy == LbPolicy.PICK_FIRST) {
        assertEquals(first, helper.picker().pick(policy, first), "pick_first has one endpoint, a retry's too");
        continue;
      }
      for (int i = 0; i < 20; i++) {
        assertNotEquals(first.key(), helper.picker().pick(policy, first).key(), policy.wireName());
      }
    }
  }

  @Test
  void loadReportsReachWeightedRoundRobinThroughTheSharedSubchannel() {
    FakeHelper own = new FakeHelper();
    BalancerConfig noBlackout = new BalancerConfig(LbPolicy.ROUND_ROBIN, 10_000, 30,
        new WeightedRoundRobinConfig(0, 180_000, 1_000, 1.0, false, 10_000), SlowStartConfig.OFF, OutlierEjection.OFF,
        HealthCheck.OFF);
    PolicyRouter weighing = PolicyRouter.ofAllPolicies(own, noBlackout);
    weighing.acceptEndpoints(endpoints("10.0.0.1", "10.0.0.2"));
    own.subchannels.values().forEach(s -> s.enter(READY));
    LoadReport busy = new LoadReport(0.5, 0, 100, 0);
    own.subchannel("10.0.0.1").report(new LoadReport(0.5, 0, 300, 0));
    own.subchannel("10.0.0.2").report(busy);
    own.clock.advanceMs(1_000); // the weight update
    Map<String, Integer> weighted = new HashMap<>();
    Map<String, Integer> roundRobin = new HashMap<>();
    for (int i = 0; i < 4_000; i++) {
      weighted.merge(own.picker().pick(LbPolicy.WEIGHTED_ROUND_ROBIN, null).key(), 1, Integer::sum);
      roundRobin.merge(own.picker().pick(LbPolicy.ROUND_ROBIN, null).key(), 1, Integer::sum);
    }
    assertTrue(Math.abs(weighted.get("10.0.0.1:50051") - 3_000) <= 2, "600 against 200: " + weighted);
    assertEquals(Map.of("10.0.0.1:50051", 2_000, "10.0.0.2:50051", 2_000), roundRobin, "round robin ignores reports");
    assertEquals(busy, weighing.endpointWeights().get("10.0.0.2:50051").lastReport().report(), "for /status");
  }

  @Test
  void everyListeningChildHearsEachReportAndTheShortestOutOfBandPeriodIsAskedFor() {
    List<WeightedRoundRobinBalancer> children = new ArrayList<>();
    PolicyRouter allWeighing = new PolicyRouter(helper, LbPolicy.ROUND_ROBIN, (policy, child) -> {
      WeightedRoundRobinBalancer wrr = new WeightedRoundRobinBalancer(child,
          new WeightedRoundRobinConfig(10_000, 180_000, 1_000, 1.0, true, 1_000 * (policy.ordinal() + 1)), 0);
      children.add(wrr);
      return wrr;
    });
    allWeighing.acceptEndpoints(endpoints("10.0.0.1"));
    FakeSubchannel shared = helper.subchannel("10.0.0.1");
    assertEquals(1_000, shared.oobPeriodMs, "the shortest period a child asks for");
    LoadReport report = new LoadReport(0.4, 0, 50, 1);
    shared.report(report);
    for (WeightedRoundRobinBalancer child : children) {
      assertEquals(report, child.weights().get("10.0.0.1:50051").lastReport().report());
    }
    allWeighing.acceptEndpoints(endpoints());
    assertTrue(shared.drained);
    shared.report(report); // late: it reaches no child
    children.forEach(child -> assertTrue(child.weights().isEmpty()));
  }

  @Test
  void theSharedSubchannelIsDrainedOnceWhenItsEndpointLeaves() {
    router.acceptEndpoints(endpoints("10.0.0.1", "10.0.0.2"));
    FakeSubchannel leaving = helper.subchannel("10.0.0.1");
    router.acceptEndpoints(endpoints("10.0.0.2"));
    assertTrue(leaving.drained);
    assertFalse(helper.subchannel("10.0.0.2").drained);
    assertEquals(2, helper.created);
  }

  @Test
  void aRequestsOwnFleetPolicyGetsAChildOverTheSharedSubchannels() {
    router.acceptEndpoints(endpoints("10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4"));
    helper.subchannels.values().forEach(s -> s.enter(READY));
    CallRoute subset = new CallRoute(LbPolicy.ROUND_ROBIN, new lab.grpclb.config.FleetPolicy(2, false));
    assertEquals(null, helper.picker().pick(subset, null), "no child for the route before its first call");
    router.ensureRoute(subset);
    assertEquals(4, helper.created, "no new connection: the route's child shares the subchannels");
    java.util.Set<String> picked = new java.util.TreeSet<>();
    for (int i = 0; i < 40; i++) {
      picked.add(helper.picker().pick(subset, null).key());
    }
    assertEquals(2, picked.size(), "round robin over the 2 of its subset: " + picked);
    java.util.Set<String> all = new java.util.TreeSet<>();
    for (int i = 0; i < 40; i++) {
      all.add(helper.picker().pick(LbPolicy.ROUND_ROBIN, null).key());
    }
    assertEquals(4, all.size(), "the default calls keep every endpoint");
  }

  /**
   * Each route answers for itself: pick_first, lost its endpoint and trying the next of its list, has nothing while
   * round robin has the first back; the router's picker says so for pick_first's route and lists no target there.
   */
  @Test
  void eachRouteSaysWhetherItHasAnEndpoint() {
    router.acceptEndpoints(endpoints("10.0.0.1", "10.0.0.2"));
    helper.subchannels.values().forEach(s -> s.enter(READY));
    String kept = helper.picker().pick(LbPolicy.PICK_FIRST, null).key();
    FakeSubchannel selected = helper.subchannels.values().stream().filter(s -> s.key().equals(kept)).findFirst()
        .orElseThrow();
    FakeSubchannel other = helper.subchannels.values().stream().filter(s -> s != selected).findFirst().orElseThrow();
    other.enter(ConnectivityState.IDLE);
    selected.enter(ConnectivityState.IDLE); // both connections aged out; pick_first now tries the other one
    selected.enter(READY); // round robin's connection to it is back first
    CallRoute pickFirst = new CallRoute(LbPolicy.PICK_FIRST, FleetPolicy.OFF);
    CallRoute roundRobin = new CallRoute(LbPolicy.ROUND_ROBIN, FleetPolicy.OFF);
    SubchannelPicker picker = helper.picker();
    assertEquals(kept, picker.pick(roundRobin, null).key());
    assertEquals(null, picker.noneReason(roundRobin));
    assertEquals(null, picker.noneReason(), "the default policy's, round robin's");
    assertEquals(null, picker.pick(pickFirst, null));
    assertEquals("pick_first is connecting to " + other.key(), picker.noneReason(pickFirst));
    assertTrue(picker.targets(pickFirst).isEmpty(), picker.targets(pickFirst).toString());
  }

  /**
   * A query makes a route (subset_size= 1 to 100 000): the router keeps the most recently used
   * {@link PolicyRouter#MAX_ROUTED_CHILDREN} and closes the least recently used, which its next call makes again.
   */
  @Test
  void requestsOwnRoutesAreBoundedLeastRecentlyUsedFirst() {
    router.acceptEndpoints(endpoints("10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4"));
    helper.subchannels.values().forEach(s -> s.enter(READY));
    int max = PolicyRouter.MAX_ROUTED_CHILDREN;
    List<CallRoute> routes = IntStream.rangeClosed(1, max + 1)
        .mapToObj(size -> new CallRoute(LbPolicy.ROUND_ROBIN, new FleetPolicy(size, false))).toList();
    routes.subList(0, max).forEach(router::ensureRoute);
    router.ensureRoute(routes.get(0)); // the first one's call comes back: the second is now the least recently used
    router.ensureRoute(routes.get(max));
    SubchannelPicker picker = helper.picker();
    assertEquals(null, picker.pick(routes.get(1), null), "the least recently used route was closed");
    assertEquals("no endpoints known yet", picker.noneReason(routes.get(1)));
    for (CallRoute kept : Stream.concat(Stream.of(routes.get(0)),
        routes.subList(2, max + 1).stream()).toList()) {
      assertTrue(picker.pick(kept, null) != null, "kept: subset_size=" + kept.fleet().subsetSize());
    }
    router.ensureRoute(routes.get(1));
    assertTrue(helper.picker().pick(routes.get(1), null) != null, "made again on its next call");
    assertEquals(null, helper.picker().pick(routes.get(2), null), "making it closed the next least recently used");
    assertEquals(4, helper.created, "every route over the same 4 connections");
    assertTrue(helper.subchannels.values().stream().noneMatch(s -> s.drained), "the default policies still hold them");
  }

  /**
   * /status shows weighted_round_robin's weights under the fleet flags too: the default child is then wrapped in a
   * subset, or split into a pool per zone, and the weights are those of the policies that pick inside.
   */
  @Test
  void weightsAreShownThroughASubsetAndOverEveryZonesPool() {
    FleetConfig subset = new FleetConfig("client-1", null, List.of(), new FleetPolicy(2, false));
    PolicyRouter subsetting = PolicyRouter.ofAllPolicies(new FakeHelper(), BalancerConfig.DEFAULT.withFleet(subset));
    subsetting.acceptEndpoints(endpoints("10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4"));
    assertEquals(subsetting.fleetStatus().subset(), List.copyOf(subsetting.endpointWeights().keySet()),
        "the weights of the client's subset");
    FleetConfig zoned = new FleetConfig("client-1", "a", List.of("a", "b"), new FleetPolicy(0, true));
    PolicyRouter zoneAware = PolicyRouter.ofAllPolicies(new FakeHelper(), BalancerConfig.DEFAULT.withFleet(zoned));
    List<Endpoint> pods = endpoints("10.0.0.1", "10.0.0.2", "10.0.0.3").all();
    zoneAware.acceptEndpoints(EndpointSet.of(List.of(pods.get(0).inZone("a", List.of()),
        pods.get(1).inZone("b", List.of()), pods.get(2).inZone("b", List.of()))));
    assertEquals(Set.of("10.0.0.1:50051", "10.0.0.2:50051", "10.0.0.3:50051"), zoneAware.endpointWeights().keySet(),
        "every zone's pool");
  }
}

package lab.grpclb.balance;

import static lab.grpclb.balance.ConnectivityState.READY;
import static lab.grpclb.balance.ConnectivityState.TRANSIENT_FAILURE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import lab.grpclb.config.LbPolicy;
import lab.grpclb.config.SlowStartConfig;
import lab.grpclb.discovery.Endpoint;
import lab.grpclb.discovery.EndpointSet;
import org.junit.jupiter.api.Test;

/**
 * Zone-aware routing: Envoy's arithmetic on fake endpoints (the share of calls kept in the client's zone, the spill
 * to the zones with residual capacity, the load each pod ends up with when a client sits in every zone), Kubernetes'
 * hints, and the wrapper picking over round robin children.
 */
class ZoneAwareTest {
  static final List<String> ZONES = List.of("a", "b", "c");

  /** Pods in zones: {@code layout} "a", "b", "b" puts one pod in a and two in b. */
  static List<Endpoint> pods(String... layout) {
    List<Endpoint> pods = new ArrayList<>();
    for (int i = 0; i < layout.length; i++) {
      pods.add(new Endpoint("10.0.2." + i, 50051, "pod-" + i, true, true, false, layout[i], List.of()));
    }
    return pods;
  }

  /**
   * The load on each pod, in calls per client-zone's worth of traffic, when a client in every zone of {@code fleet}
   * sends the same amount and each pool spreads its share evenly over its pods (round robin).
   */
  static Map<String, Double> podLoads(List<Endpoint> pods, List<String> fleet) {
    Map<String, Double> load = new HashMap<>();
    pods.forEach(p -> load.put(p.key(), 0.0));
    for (String zone : fleet) {
      ZonePlan plan = ZonePlan.of(pods, zone, fleet);
      plan.pools().forEach((pool, members) -> members
          .forEach(p -> load.merge(p.key(), plan.share(pool) / members.size(), Double::sum)));
    }
    return load;
  }

  static double maxOverFair(List<Endpoint> pods, List<String> fleet) {
    Map<String, Double> load = podLoads(pods, fleet);
    double fair = (double) fleet.size() / pods.size();
    return load.values().stream().mapToDouble(Double::doubleValue).max().orElseThrow() / fair;
  }

  @Test
  void evenZonesKeepEveryCallInTheZone() {
    List<Endpoint> pods = pods("a", "a", "b", "b", "c", "c");
    for (String zone : ZONES) {
      ZonePlan plan = ZonePlan.of(pods, zone, ZONES);
      assertEquals(ZonePlan.Routing.LOCAL, plan.mode());
      assertEquals(1.0, plan.share(zone));
      assertEquals(Map.of(zone, 1.0), plan.shares());
    }
    assertEquals(1.0, maxOverFair(pods, ZONES), 1e-9);
  }

  /**
   * Zone a holds 1 of 6 pods, b 2, c 3, clients in all three: a's endpoint share 1/6 is half its client share 1/3, so
   * half its calls stay; b has no residual capacity (2/6 - 1/3 = 0); c takes the other half (3/6 - 1/3 = 1/6).
   */
  @Test
  void aShortZoneKeepsWhatItsPodsCanServeAndSpillsTheRestByResidualCapacity() {
    List<Endpoint> pods = pods("a", "b", "b", "c", "c", "c");
    ZonePlan plan = ZonePlan.of(pods, "a", ZONES);
    assertEquals(ZonePlan.Routing.SPILL, plan.mode());
    double localShare = (1.0 / 6) / (1.0 / 3);
    assertEquals(localShare, plan.share("a"), 1e-9);
    assertEquals(0.0, plan.share("b"), 1e-9, "b's pods serve b's clients exactly");
    assertEquals(1 - localShare, plan.share("c"), 1e-9);
    double worst = maxOverFair(pods, ZONES);
    assertTrue(worst <= 1.5, "no pod above 1.5 x its fair load: " + worst);
    assertEquals(1.0, worst, 1e-9, "with a client in every zone, Envoy's split is exactly fair");
  }

  @Test
  void everyUnevenLayoutOfSixPodsOverThreeZonesLoadsEachPodFairly() {
    for (int a = 1; a <= 4; a++) {
      for (int b = 1; a + b <= 5; b++) {
        List<String> layout = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
          layout.add(i < a ? "a" : i < a + b ? "b" : "c");
        }
        List<Endpoint> pods = pods(layout.toArray(String[]::new));
        assertEquals(1.0, maxOverFair(pods, ZONES), 1e-9, "layout " + layout);
        for (String zone : ZONES) {
          double sum = ZonePlan.of(pods, zone, ZONES).shares().values().stream().mapToDouble(d -> d).sum();
          assertEquals(1.0, sum, 1e-9, "a client's shares add up, zone " + zone + " of " + layout);
        }
      }
    }
  }

  @Test
  void withoutFleetZonesTheKnownZonesCount() {
    List<Endpoint> pods = pods("a", "b", "b", "c", "c", "c");
    assertEquals(ZonePlan.of(pods, "a", ZONES), ZonePlan.of(pods, "a", List.of()));
    ZonePlan twoZoneFleet = ZonePlan.of(pods, "a", List.of("a", "b")); // no client in c: c only takes spill
    assertEquals((1.0 / 6) / (1.0 / 2), twoZoneFleet.share("a"), 1e-9);
  }

  @Test
  void anUnknownZoneOrAZoneWithoutPodsRoutesEverywhere() {
    List<Endpoint> pods = pods("a", "b", "b");
    assertEquals(ZonePlan.Routing.EVERYWHERE, ZonePlan.of(pods, null, ZONES).mode());
    ZonePlan elsewhere = ZonePlan.of(pods, "c", ZONES);
    assertEquals(ZonePlan.Routing.EVERYWHERE, elsewhere.mode());
    assertEquals(1.0 / 3, elsewhere.share("a"), 1e-9);
    assertEquals(2.0 / 3, elsewhere.share("b"), 1e-9);
  }

  @Test
  void hintsForTheClientsZoneWinWhenEveryEndpointHasSome() {
    List<Endpoint> pods = List.of(
        new Endpoint("10.0.2.1", 50051, "p1", true, true, false, "a", List.of("a")),
        new Endpoint("10.0.2.2", 50051, "p2", true, true, false, "b", List.of("a")),
        new Endpoint("10.0.2.3", 50051, "p3", true, true, false, "b", List.of("b")));
    ZonePlan plan = ZonePlan.of(pods, "a", ZONES);
    assertEquals(ZonePlan.Routing.HINTS, plan.mode());
    assertEquals(List.of(pods.get(0), pods.get(1)), plan.pools().values().iterator().next());
    List<Endpoint> partly = List.of(pods.get(0), pods.get(1).inZone("b", List.of()), pods.get(2));
    assertTrue(ZonePlan.of(partly, "a", ZONES).mode() != ZonePlan.Routing.HINTS, "an endpoint without hints: none count");
  }

  /**
   * PreferClose's hints name each endpoint's own zone however few: followed in a zone holding 1 of 6 pods, its pod
   * would take twice the mean. The spill rule wins there: half stays, the rest goes to zone b's spare pod.
   */
  @Test
  void ownZoneHintsInAShortZoneGiveWayToTheSpill() {
    List<Endpoint> pods = pods("a", "b", "b", "b", "c", "c").stream()
        .map(e -> e.inZone(e.zone(), List.of(e.zone()))).toList();
    ZonePlan shortZone = ZonePlan.of(pods, "a", ZONES);
    assertEquals(ZonePlan.Routing.SPILL, shortZone.mode());
    assertEquals(0.5, shortZone.share("a"), 1e-9);
    assertEquals(0.5, shortZone.share("b"), 1e-9, "b alone has pods to spare");
    assertEquals(ZonePlan.Routing.HINTS, ZonePlan.of(pods, "b", ZONES).mode(), "b's hints carry its share");
  }

  @Test
  void theWrapperSendsTheSharesToEachZonesRoundRobin() {
    FakeHelper helper = new FakeHelper();
    ZoneAwareBalancer balancer = new ZoneAwareBalancer(helper,
        h -> new RoundRobinBalancer(h, SlowStartConfig.OFF, 0, new Random(1)), "a", ZONES, new Random(7));
    List<Endpoint> pods = pods("a", "b", "b", "c", "c", "c");
    balancer.acceptEndpoints(EndpointSet.of(pods));
    helper.subchannels.values().forEach(s -> s.enter(READY));
    assertEquals(ZonePlan.Routing.SPILL, balancer.plan().mode());
    Map<String, Integer> perZone = new HashMap<>();
    int calls = 10_000;
    for (int i = 0; i < calls; i++) {
      String key = helper.picker().pick(LbPolicy.ROUND_ROBIN, null).key();
      String zone = pods.stream().filter(p -> p.key().equals(key)).findFirst().orElseThrow().zone();
      perZone.merge(zone, 1, Integer::sum);
    }
    assertEquals(null, perZone.get("b"), "b has no residual capacity");
    double sigma = Math.sqrt(calls * 0.25); // binomial, p = 1/2
    assertEquals(calls / 2.0, perZone.get("a"), 4 * sigma, perZone.toString());

    helper.subchannels.get(pods.get(0).key()).enter(TRANSIENT_FAILURE, "refused");
    for (int i = 0; i < 100; i++) {
      String key = helper.picker().pick(LbPolicy.ROUND_ROBIN, null).key();
      assertTrue(key.startsWith("10.0.2.3") || key.startsWith("10.0.2.4") || key.startsWith("10.0.2.5"),
          "zone a failing: its calls go to c, " + key);
    }
  }

  @Test
  void evenZonesSendEveryPickToTheClientsZone() {
    FakeHelper helper = new FakeHelper();
    ZoneAwareBalancer balancer = new ZoneAwareBalancer(helper,
        h -> new RoundRobinBalancer(h, SlowStartConfig.OFF, 0, new Random(1)), "b", ZONES, new Random(7));
    List<Endpoint> pods = pods("a", "a", "b", "b", "c", "c");
    balancer.acceptEndpoints(EndpointSet.of(pods));
    helper.subchannels.values().forEach(s -> s.enter(READY));
    for (int i = 0; i < 1_000; i++) {
      String key = helper.picker().pick(LbPolicy.ROUND_ROBIN, null).key();
      assertTrue(key.equals(pods.get(2).key()) || key.equals(pods.get(3).key()), key);
    }
    assertEquals(2, helper.created, "subchannels to the plan's pools only, zone b here: " + helper.subchannels.keySet());
  }
}

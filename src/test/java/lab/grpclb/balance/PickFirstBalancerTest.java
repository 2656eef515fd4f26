package lab.grpclb.balance;

import static lab.grpclb.balance.ConnectivityState.CONNECTING;
import static lab.grpclb.balance.ConnectivityState.IDLE;
import static lab.grpclb.balance.ConnectivityState.READY;
import static lab.grpclb.balance.ConnectivityState.TRANSIENT_FAILURE;
import static lab.grpclb.balance.FakeHelper.endpoints;
import static lab.grpclb.balance.FakeHelper.key;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import lab.grpclb.config.BalancerConfig;
import lab.grpclb.config.LbPolicy;
import org.junit.jupiter.api.Test;

/**
 * pick_first with a shuffled list (gRFC A62) over fake subchannels: one connection at a time, the shuffle's order and
 * its fairness over many clients, the next endpoint on a loss, and its place among the shared subchannels of
 * {@link PolicyRouter}.
 */
class PickFirstBalancerTest {
  static final List<String> IPS = List.of("10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5");
  final FakeHelper helper = new FakeHelper();

  PickFirstBalancer balancer(long seed) {
    return new PickFirstBalancer(helper, new Random(seed));
  }

  /** The order seed {@code seed} tries the five endpoints in. */
  static List<String> order(long seed) {
    return PickFirstBalancer.shuffled(IPS.stream().map(FakeHelper::key).sorted().toList(), new Random(seed));
  }

  String picked() {
    Subchannel picked = helper.picker().pick(LbPolicy.PICK_FIRST, null);
    return picked == null ? null : picked.key();
  }

  @Test
  void theSameSeedShufflesTheSameWay() {
    assertEquals(order(42), order(42));
    assertTrue(IntStream.range(0, 20).mapToObj(PickFirstBalancerTest::order).distinct().count() > 10,
        "20 seeds give many orders");
  }

  /**
   * Over many clients (seeds) each endpoint comes first about equally often: Pearson's chi-square over the first
   * choices stays under the 99.9th percentile of chi-square with k - 1 degrees of freedom (Wilson-Hilferty's
   * approximation, z = 3.090). The seeds are fixed, so the test is repeatable; a biased shuffle (one endpoint first
   * 10 % more often) would give a statistic near 25 and fail it.
   */
  @Test
  void overManySeedsEachEndpointComesFirstAboutEquallyOften() {
    int clients = 10_000;
    int k = IPS.size();
    int[] first = new int[k];
    List<String> keys = IPS.stream().map(FakeHelper::key).sorted().toList();
    for (long seed = 0; seed < clients; seed++) {
      first[keys.indexOf(order(seed).get(0))]++;
    }
    double expected = (double) clients / k;
    double chiSquare = IntStream.of(first).mapToDouble(o -> (o - expected) * (o - expected) / expected).sum();
    int df = k - 1;
    double z = 3.090;
    double bound = df * Math.pow(1 - 2.0 / (9 * df) + z * Math.sqrt(2.0 / (9 * df)), 3);
    assertTrue(bound > 18 && bound < 19, "chi-square(4) at 99.9 % is 18.47: " + bound);
    assertTrue(chiSquare < bound, "chi-square " + chiSquare + " over " + java.util.Arrays.toString(first));
  }

  @Test
  void asksForOneConnectionAtATimeInTheShuffledOrder() {
    balancer(7).acceptEndpoints(endpoints(IPS.toArray(String[]::new)));
    List<String> order = order(7);
    assertEquals(5, helper.created, "a subchannel per endpoint, as grpc-java's");
    assertEquals(1, helper.subchannels.get(order.get(0)).connectionRequests);
    assertEquals(1, helper.subchannels.values().stream().mapToInt(s -> s.connectionRequests).sum(),
        "no other connection asked for");
    assertEquals(CONNECTING, helper.state());
    assertNull(picked());

    helper.subchannels.get(order.get(0)).enter(TRANSIENT_FAILURE, "refused");
    assertEquals(1, helper.subchannels.get(order.get(1)).connectionRequests, "the next one of the list");
    helper.subchannels.get(order.get(1)).enter(READY);
    assertEquals(READY, helper.state());
    assertEquals(List.of(order.get(1), order.get(1)), List.of(picked(), picked()), "every call to the one endpoint");
  }

  @Test
  void anEndpointReadyBeforeItsTurnDoesNotJumpTheShuffledOrder() {
    balancer(7).acceptEndpoints(endpoints(IPS.toArray(String[]::new)));
    List<String> order = order(7);
    helper.subchannels.get(order.get(4)).enter(READY); // another policy's connection to it came up first
    assertNull(picked(), "still waiting for the first of its list");
    helper.subchannels.get(order.get(0)).enter(READY);
    assertEquals(order.get(0), picked());
  }

  /**
   * Clients whose shared connections all come up in the same order (the fleet's case: the same pods answer first for
   * everyone) still spread over the pods by their shuffles: the chi-square of the chosen pods over 2 000 seeds stays
   * under chi-square(4)'s 99.9th percentile, 18.47.
   */
  @Test
  void connectionsComingUpInOneOrderForEveryClientStillSpreadByTheShuffle() {
    int clients = 2_000;
    int[] chosen = new int[IPS.size()];
    List<String> keys = IPS.stream().map(FakeHelper::key).toList();
    for (long seed = 0; seed < clients; seed++) {
      FakeHelper own = new FakeHelper();
      new PickFirstBalancer(own, new Random(seed)).acceptEndpoints(endpoints(IPS.toArray(String[]::new)));
      keys.forEach(key -> own.subchannels.get(key).enter(READY)); // 10.0.0.1 first, for every client
      chosen[keys.indexOf(own.picker().pick(LbPolicy.PICK_FIRST, null).key())]++;
    }
    double expected = (double) clients / IPS.size();
    double chiSquare = IntStream.of(chosen).mapToDouble(o -> (o - expected) * (o - expected) / expected).sum();
    assertTrue(chiSquare < 18.47, "chi-square " + chiSquare + " over " + java.util.Arrays.toString(chosen));
  }

  @Test
  void onItsLossGoesToTheNextEndpointOfTheList() {
    PickFirstBalancer pickFirst = balancer(3);
    pickFirst.acceptEndpoints(endpoints(IPS.toArray(String[]::new)));
    List<String> order = order(3);
    helper.subchannels.get(order.get(0)).enter(READY);
    assertEquals(order.get(0), picked());

    helper.subchannels.get(order.get(0)).enter(IDLE); // the pod went away
    assertEquals(CONNECTING, helper.state());
    assertEquals(1, helper.subchannels.get(order.get(1)).connectionRequests);
    assertEquals(1, helper.subchannels.get(order.get(0)).connectionRequests, "the lost one is not asked again");
    assertEquals(1, helper.refreshes);
    helper.subchannels.get(order.get(1)).enter(READY);
    assertEquals(order.get(1), picked());
    assertEquals(order.get(1), pickFirst.selectedKey());
  }

  @Test
  void keepsItsEndpointAcrossEndpointChangesWhileItIsReady() {
    PickFirstBalancer pickFirst = balancer(11);
    pickFirst.acceptEndpoints(endpoints("10.0.0.1", "10.0.0.2", "10.0.0.3"));
    String first = helper.subchannels.values().stream().filter(s -> s.connectionRequests == 1).findFirst()
        .orElseThrow().key();
    helper.subchannels.get(first).enter(READY);
    pickFirst.acceptEndpoints(endpoints("10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4"));
    assertEquals(first, picked(), "a new pod does not move it (A62: no reconnection while READY)");
    assertEquals(0, helper.subchannel("10.0.0.4").connectionRequests);
  }

  @Test
  void everyEndpointFailingIsTransientFailureUntilOneIsReady() {
    balancer(5).acceptEndpoints(endpoints("10.0.0.1", "10.0.0.2"));
    helper.subchannels.values().forEach(s -> s.enter(TRANSIENT_FAILURE, "refused"));
    assertEquals(TRANSIENT_FAILURE, helper.state());
    assertTrue(helper.picker().noneReason().startsWith("no endpoint is READY: "), helper.picker().noneReason());
    helper.subchannel("10.0.0.2").enter(READY); // its own backoff retried it
    assertEquals(key("10.0.0.2"), picked());
  }

  @Test
  void underThePolicyRouterItTakesItsFirstChoiceFromTheSharedConnections() {
    PolicyRouter router = PolicyRouter.ofAllPolicies(helper, BalancerConfig.DEFAULT);
    router.acceptEndpoints(endpoints("10.0.0.1", "10.0.0.2", "10.0.0.3"));
    assertEquals(3, helper.created, "still one subchannel per endpoint");
    helper.subchannels.values().forEach(s -> s.enter(READY)); // the other policies connected them all
    String chosen = picked();
    assertEquals(List.of(chosen, chosen, chosen), List.of(picked(), picked(), picked()));
  }
}

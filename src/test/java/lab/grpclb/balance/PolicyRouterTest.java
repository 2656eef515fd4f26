package lab.grpclb.balance;

import static lab.grpclb.balance.ConnectivityState.READY;
import static lab.grpclb.balance.FakeHelper.endpoints;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import lab.grpclb.config.LbPolicy;
import org.junit.jupiter.api.Test;

/** The three policies side by side: one connection per endpoint for all of them, each call picked by its own. */
class PolicyRouterTest {
  final FakeHelper helper = new FakeHelper();
  final PolicyRouter router = PolicyRouter.ofAllPolicies(helper, LbPolicy.ROUND_ROBIN);

  @Test
  void everyPolicySharesOneSubchannelPerEndpoint() {
    router.acceptEndpoints(endpoints("10.0.0.1", "10.0.0.2"));
    assertEquals(2, helper.created, "not one per policy");
    assertEquals(1, helper.pickers.size(), "the three children publish once, together");
    helper.subchannel("10.0.0.1").enter(READY);
    assertEquals(2, helper.pickers.size(), "one state change, one publication");
    for (LbPolicy policy : LbPolicy.values()) {
      assertEquals("10.0.0.1:50051", helper.picker().pick(policy, null).key(), policy.wireName());
    }
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
      for (int i = 0; i < 20; i++) {
        assertNotEquals(first.key(), helper.picker().pick(policy, first).key(), policy.wireName());
      }
    }
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
}

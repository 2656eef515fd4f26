package lab.grpclb.balance;

import static lab.grpclb.balance.ConnectivityState.CONNECTING;
import static lab.grpclb.balance.ConnectivityState.IDLE;
import static lab.grpclb.balance.ConnectivityState.READY;
import static lab.grpclb.balance.ConnectivityState.TRANSIENT_FAILURE;
import static lab.grpclb.balance.FakeHelper.endpoints;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import lab.grpclb.config.LbPolicy;
import lab.grpclb.config.SlowStartConfig;
import lab.grpclb.discovery.Endpoint;
import lab.grpclb.discovery.EndpointSet;
import org.junit.jupiter.api.Test;

/**
 * round_robin over fake subchannels, as grpc-java's {@code RoundRobinLoadBalancerTest} does it: the aggregate
 * states, READY-only picking, pickers republished only on a change, and endpoints that come and go. No socket, no
 * event loop: each test runs in well under a millisecond of balancer work.
 */
class RoundRobinBalancerTest {
  final FakeHelper helper = new FakeHelper();
  final RoundRobinBalancer balancer = new RoundRobinBalancer(helper, SlowStartConfig.OFF, 0, new Random(1));

  List<String> picks(int n) {
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Subchannel picked = helper.picker().pick(LbPolicy.ROUND_ROBIN, null);
      keys.add(picked == null ? null : picked.key());
    }
    return keys;
  }

  @Test
  void connectsToEveryEndpointAtOnceAndIsConnectingUntilOneIsReady() {
    balancer.acceptEndpoints(endpoints("10.0.0.1", "10.0.0.2"));
    assertEquals(2, helper.created);
    helper.subchannels.values().forEach(s -> assertEquals(1, s.connectionRequests, s.key()));
    assertEquals(List.of(CONNECTING), helper.states, "one publication for the whole snapshot");
    assertNull(helper.picker().pick(LbPolicy.ROUND_ROBIN, null));

    helper.subchannel("10.0.0.2").enter(READY);
    assertEquals(READY, helper.state());
    assertEquals(List.of("10.0.0.2:50051", "10.0.0.2:50051"), picks(2), "only the READY endpoint");
  }

  @Test
  void picksReadyEndpointsOnlyAndInTheServicesOrder() {
    balancer.acceptEndpoints(endpoints("10.0.0.1", "10.0.0.2", "10.0.0.3"));
    helper.subchannel("10.0.0.1").enter(READY);
    helper.subchannel("10.0.0.2").enter(CONNECTING);
    helper.subchannel("10.0.0.3").enter(TRANSIENT_FAILURE, "connect failed: refused");
    assertEquals(List.of("10.0.0.1:50051", "10.0.0.1:50051", "10.0.0.1:50051"), picks(3));

    helper.subchannel("10.0.0.3").enter(READY);
    assertEquals(List.of("10.0.0.3:50051", "10.0.0.1:50051", "10.0.0.3:50051", "10.0.0.1:50051"), picks(4),
        "the rotation goes on across the swap");
  }

  @Test
  void republishesOnlyWhenTheReadySetOrTheStateChanges() {
    balancer.acceptEndpoints(endpoints("10.0.0.1", "10.0.0.2"));
    helper.subchannel("10.0.0.1").enter(READY);
    int published = helper.pickers.size();
    SubchannelPicker picker = helper.picker();

    helper.subchannel("10.0.0.2").enter(TRANSIENT_FAILURE, "refused"); // not READY before, not READY now
    helper.subchannel("10.0.0.2").enter(CONNECTING);
    balancer.acceptEndpoints(endpoints("10.0.0.1", "10.0.0.2")); // the same snapshot again
    assertEquals(published, helper.pickers.size(), "no swap: " + helper.states);
    assertSame(picker, helper.picker());

    helper.subchannel("10.0.0.2").enter(READY);
    assertEquals(published + 1, helper.pickers.size());
  }

  @Test
  void everyEndpointFailingIsTransientFailureNamingEachOnesError() {
    balancer.acceptEndpoints(endpoints("10.0.0.1", "10.0.0.2"));
    helper.subchannel("10.0.0.1").enter(TRANSIENT_FAILURE, "connect failed: refused");
    assertEquals(CONNECTING, helper.state(), "10.0.0.2 may still connect");
    helper.subchannel("10.0.0.2").enter(TRANSIENT_FAILURE, "no HTTP/2 handshake within 1000 ms");
    assertEquals(TRANSIENT_FAILURE, helper.state());
    assertEquals("no endpoint is READY: 10.0.0.1:50051 TRANSIENT_FAILURE (connect failed: refused), "
        + "10.0.0.2:50051 TRANSIENT_FAILURE (no HTTP/2 handshake within 1000 ms)", helper.picker().noneReason());
    assertEquals(2, helper.refreshes, "each failure asks discovery to resolve again");
  }

  @Test
  void saysWhyWhenTheServiceHasNothingToOffer() {
    balancer.acceptEndpoints(EndpointSet.EMPTY);
    assertEquals("the Service has no endpoints", helper.picker().noneReason());
    balancer.acceptEndpoints(EndpointSet.of(List.of(new Endpoint("10.0.0.1", 50051, "p", false, false, false))));
    assertEquals("no endpoint is ready or serving", helper.picker().noneReason());
    assertEquals(0, helper.created, "no connection to an endpoint that is not ready");
  }

  @Test
  void aDroppedConnectionLeavesThePickerAndIsAskedToReconnect() {
    balancer.acceptEndpoints(endpoints("10.0.0.1", "10.0.0.2"));
    helper.subchannel("10.0.0.1").enter(READY);
    helper.subchannel("10.0.0.2").enter(READY);
    helper.subchannel("10.0.0.1").enter(IDLE, "GOAWAY from the server");
    assertEquals(List.of("10.0.0.2:50051", "10.0.0.2:50051"), picks(2));
    assertEquals(2, helper.subchannel("10.0.0.1").connectionRequests, "at once, as gRPC's pick-first does");
    assertEquals(1, helper.refreshes);
  }

  @Test
  void anEndpointThatLeavesIsDrainedAndOneThatStaysKeepsItsConnection() {
    balancer.acceptEndpoints(endpoints("10.0.0.1", "10.0.0.2"));
    FakeSubchannel first = helper.subchannel("10.0.0.1");
    FakeSubchannel second = helper.subchannel("10.0.0.2");
    first.enter(READY);
    second.enter(READY);
    balancer.acceptEndpoints(endpoints("10.0.0.2", "10.0.0.3"));
    assertTrue(first.drained, "left the Service: drained");
    assertSame(second, helper.subchannel("10.0.0.2"));
    assertEquals(3, helper.created);
    assertEquals(List.of("10.0.0.2:50051", "10.0.0.2:50051"), picks(2));
    first.enter(READY); // a late report from the drained one changes nothing
    assertEquals(List.of("10.0.0.2:50051"), picks(1));
  }
}

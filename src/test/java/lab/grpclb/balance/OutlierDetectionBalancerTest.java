package lab.grpclb.balance;

import static lab.grpclb.balance.ConnectivityState.READY;
import static lab.grpclb.balance.FakeHelper.endpoints;
import static lab.grpclb.balance.FakeHelper.key;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import lab.grpclb.config.LbPolicy;
import lab.grpclb.config.OutlierEjection;
import lab.grpclb.config.SlowStartConfig;
import org.junit.jupiter.api.Test;

/**
 * Outlier detection around round_robin on a fake clock: the endpoint that fails every call is ejected at the first
 * sweep with enough calls, gets no pick while out, and returns at the sweep its ejection time says.
 */
class OutlierDetectionBalancerTest {
  static final String BAD = "10.0.0.1";
  /** 250 ms sweeps, 85 % threshold, 5 hosts, 5 calls each, 30 s base ejection, at most 10 % ejected. */
  static final OutlierEjection EJECTION = new OutlierEjection(true, 250, 85, 5, 5, 30_000, 300_000, 10);

  final FakeHelper helper = new FakeHelper();
  final OutlierDetectionBalancer balancer = new OutlierDetectionBalancer(helper, EJECTION,
      child -> new RoundRobinBalancer(child, SlowStartConfig.OFF, 0, new Random(1)));

  void start() {
    balancer.acceptEndpoints(endpoints(BAD, "10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5"));
    helper.subchannels.values().forEach(s -> s.enter(READY));
    helper.subchannel(BAD).failCalls(true);
  }

  /** {@code n} calls through the picker, as the channel makes them; the endpoints they reached. */
  Set<String> calls(int n) {
    Set<String> reached = new TreeSet<>();
    for (int i = 0; i < n; i++) {
      Subchannel picked = helper.picker().pick(LbPolicy.ROUND_ROBIN, null);
      picked.call(null, "hello", null);
      reached.add(picked.key());
    }
    return reached;
  }

  @Test
  void theFailingEndpointIsEjectedAtTheNextSweepAndReturnsWhenItsTimeIsUp() {
    start();
    assertEquals(5, calls(50).size());
    helper.clock.advanceMs(250);
    OutlierDetectionBalancer.Status status = balancer.status();
    assertEquals(1, status.ejected().size(), status.toString());
    OutlierDetectionBalancer.Ejection ejection = status.ejected().get(0);
    assertEquals(key(BAD), ejection.endpoint());
    assertEquals(Duration.ofSeconds(30), Duration.between(ejection.since(), ejection.returnsAt()),
        "30 s x 1, a whole number of 250 ms sweeps");
    assertEquals(1, balancer.ejectionsSoFar());
    assertEquals(Set.of(key("10.0.0.2"), key("10.0.0.3"), key("10.0.0.4"), key("10.0.0.5")), calls(400),
        "no pick while ejected");

    helper.clock.advanceMs(30_000 - 1);
    assertEquals(1, balancer.status().ejected().size(), "one sweep short of its time");
    helper.subchannel(BAD).failCalls(false);
    helper.clock.advanceMs(1);
    assertEquals(List.of(), balancer.status().ejected());
    assertTrue(calls(5).contains(key(BAD)), "back among the picks");
  }

  @Test
  void theChildSeesAnEjectedEndpointAsFailingAndEveryoneBackWhenEjectionIsSwitchedOff() {
    balancer.acceptEndpoints(endpoints(BAD));
    helper.subchannel(BAD).enter(READY);
    OutlierEjection oneHost = new OutlierEjection(true, 250, 85, 1, 5, 30_000, 300_000, 100);
    balancer.configure(oneHost);
    helper.subchannel(BAD).failCalls(true);
    calls(10);
    helper.clock.advanceMs(250);
    assertEquals("no endpoint is READY: " + key(BAD) + " TRANSIENT_FAILURE (ejected by outlier detection)",
        helper.picker().noneReason());

    balancer.configure(OutlierEjection.OFF);
    assertNull(helper.picker().noneReason(), "gRFC A50: without a config every endpoint is back");
    assertNull(balancer.status().settings());
    assertEquals(0, helper.clock.pendingTimers(), "no sweep while off");
  }
}

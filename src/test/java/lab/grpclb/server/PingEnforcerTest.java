package lab.grpclb.server;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import lab.grpclb.balance.FakeClock;
import lab.grpclb.config.PingPolicy;
import org.junit.jupiter.api.Test;

/** gRFC A8's ping policing, the arithmetic grpc-java's and grpc-go's servers share, on a fake clock. */
class PingEnforcerTest {
  final FakeClock clock = new FakeClock();

  @Test
  void aThirdPingWithinThePermittedTimeAndNoReplyBetweenIsOneTooMany() {
    PingEnforcer enforcer = new PingEnforcer(new PingPolicy(300_000, false), clock);
    enforcer.callStarted();
    clock.advanceMs(10_000);
    assertTrue(enforcer.pingAcceptable(), "strike 1");
    clock.advanceMs(10_000);
    assertTrue(enforcer.pingAcceptable(), "strike 2");
    clock.advanceMs(10_000);
    assertFalse(enforcer.pingAcceptable(), "strike 3: too_many_pings");
  }

  @Test
  void aReplyBetweenPingsForgivesThem() {
    PingEnforcer enforcer = new PingEnforcer(new PingPolicy(300_000, false), clock);
    enforcer.callStarted();
    for (int i = 0; i < 100; i++) {
      clock.advanceMs(10_000);
      assertTrue(enforcer.pingAcceptable());
      assertTrue(enforcer.pingAcceptable(), "two between replies");
      enforcer.sent();
    }
  }

  @Test
  void pingsAtThePermittedRateAreFineAndIdleOnesOnlyWhenPermitted() {
    PingEnforcer permitting = new PingEnforcer(new PingPolicy(10_000, false), clock);
    permitting.callStarted();
    for (int i = 0; i < 10; i++) {
      clock.advanceMs(10_000);
      assertTrue(permitting.pingAcceptable(), "every 10 s, as permitted");
    }
    permitting.callEnded();
    clock.advanceMs(10_000);
    permitting.pingAcceptable();
    clock.advanceMs(10_000);
    permitting.pingAcceptable();
    clock.advanceMs(10_000);
    assertFalse(permitting.pingAcceptable(), "no call in flight: once per 2 hours unless permitted");

    PingEnforcer idleOk = new PingEnforcer(new PingPolicy(10_000, true), clock);
    for (int i = 0; i < 10; i++) {
      clock.advanceMs(10_000);
      assertTrue(idleOk.pingAcceptable(), "--permit-keepalive-without-calls");
    }
  }
}

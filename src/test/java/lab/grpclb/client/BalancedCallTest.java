package lab.grpclb.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import experiment.Experiment.HelloReply;
import experiment.Experiment.HelloRequest;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.grpc.common.GrpcStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import lab.grpclb.balance.CallRoute;
import lab.grpclb.balance.FakeClock;
import lab.grpclb.balance.FakeSubchannel;
import lab.grpclb.balance.FakeSubchannel.HeldCall;
import lab.grpclb.balance.Picker;
import lab.grpclb.balance.Subchannel;
import lab.grpclb.balance.SubchannelPicker;
import lab.grpclb.call.CallFailure;
import lab.grpclb.call.CallOptions;
import lab.grpclb.call.Cancellation;
import lab.grpclb.config.AttemptPolicy;
import lab.grpclb.config.FleetPolicy;
import lab.grpclb.config.HedgingPolicy;
import lab.grpclb.config.LbPolicy;
import lab.grpclb.config.RetryPolicy;
import lab.grpclb.config.RetryThrottling;
import org.junit.jupiter.api.Test;

/**
 * A balanced call's attempts (gRFC A6) with a fake clock and endpoints whose calls wait until the test ends them:
 * when hedges go and where, which answer wins, what is cancelled, the deadline, the retry policy beside hedging,
 * and the retry throttle.
 */
class BalancedCallTest {
  static final HelloRequest REQUEST = HelloRequest.newBuilder().setName("test").build();
  static final RetryPolicy RETRY_TWICE = new RetryPolicy(RetryPolicy.Kind.IDEMPOTENT, 2);

  final FakeClock clock = new FakeClock();
  final List<HeldCall> sent = new ArrayList<>();
  final List<Subchannel> pods = List.of(pod("10.0.0.1"), pod("10.0.0.2"), pod("10.0.0.3"));
  final CallCounters counters = new CallCounters();
  RetryThrottle throttle = new RetryThrottle(RetryThrottling.OFF);
  SubchannelPicker picker = SubchannelPicker.of(new Picker.RoundRobin<>(pods, new AtomicInteger()));

  final OrderedTimers timers = new OrderedTimers(clock);

  Subchannel pod(String ip) {
    return FakeSubchannel.holding(ip + ":50051", clock, sent);
  }

  static AttemptPolicy hedged(int delayMs, int maxAttempts) {
    return AttemptPolicy.retrying(RETRY_TWICE).withHedging(new HedgingPolicy(delayMs, maxAttempts));
  }

  Future<HelloReply> call(AttemptPolicy policy, long timeoutMs) {
    CallOptions options = new CallOptions(clock.nanoTime() + timeoutMs * 1_000_000, "no reply within " + timeoutMs
        + " ms", new Cancellation());
    CallRouting routing = new CallRouting(() -> picker, route -> Future.succeededFuture(), timers, throttle, counters);
    return new BalancedCall(routing, REQUEST, LbPolicy.ROUND_ROBIN, policy, options).start();
  }

  List<String> endpointsSent() {
    return sent.stream().map(HeldCall::endpoint).toList();
  }

  static CallFailure unavailable() {
    return new CallFailure(GrpcStatus.UNAVAILABLE, "connection closed before the reply");
  }

  @Test
  void aHedgeGoesAtTheDelayToAnotherEndpoint() {
    call(hedged(100, 3), 10_000);
    clock.advanceMs(99);
    assertEquals(1, sent.size(), "no hedge before the delay");
    clock.advanceMs(1);
    assertEquals(2, sent.size(), "a hedge at the delay");
    assertNotEquals(sent.get(0).endpoint(), sent.get(1).endpoint(), "the hedge goes to another endpoint");
    assertNotEquals(sent.get(0).options().cancellation(), sent.get(1).options().cancellation(),
        "each attempt can be cancelled alone");
  }

  /** A call hedged once, answered by attempt {@code winner} (0: the first): the other is cancelled, no more go. */
  Attempts hedgedOnceAndAnsweredBy(int winner) {
    Future<HelloReply> reply = call(hedged(100, 3), 10_000);
    clock.advanceMs(150);
    String ip = sent.get(winner).endpoint().replace(":50051", "");
    sent.get(winner).answer(ip);
    assertEquals(ip, reply.result().getIpAddress());
    assertSame(BalancedCall.ANSWERED, sent.get(1 - winner).cancelledWith(), "the loser is reset (RST_STREAM CANCEL)");
    assertFalse(sent.get(winner).cancelled());
    clock.advanceMs(1_000);
    assertEquals(2, sent.size(), "no hedge once answered");
    assertEquals(List.of(0L, 0L, 1L, 0L, 0L, 0L), counters.attempts().callsByAttempts());
    return counters.attempts();
  }

  @Test
  void theFirstReplyWinsAndTheOtherAttemptIsCancelled() {
    Attempts attempts = hedgedOnceAndAnsweredBy(1);
    assertEquals(1, attempts.hedged());
    assertEquals(1, attempts.hedgeWon(), "the hedge answered");
  }

  @Test
  void theFirstAttemptWinningCountsNoHedgeWon() {
    Attempts attempts = hedgedOnceAndAnsweredBy(0);
    assertEquals(1, attempts.hedged());
    assertEquals(0, attempts.hedgeWon());
  }

  @Test
  void maxAttemptsIsHonouredEachOnAnEndpointNotTriedYet() {
    call(hedged(100, 3), 10_000);
    clock.advanceMs(5_000);
    assertEquals(3, sent.size());
    assertEquals(3, endpointsSent().stream().distinct().count(), "three endpoints: " + endpointsSent());
    assertEquals(2, counters.attempts().hedged());
  }

  @Test
  void nothingIsHedgedPastTheDeadline() {
    call(hedged(100, 5), 250);
    clock.advanceMs(1_000);
    assertEquals(3, sent.size(), "attempts at 0, 100 and 200 ms; one at 300 ms would be past the 250 ms deadline");
  }

  @Test
  void anUnavailableAttemptLetsTheNextGoAtOnce() {
    call(hedged(100, 3), 10_000);
    clock.advanceMs(10);
    sent.get(0).fail(unavailable());
    assertEquals(2, sent.size(), "the next attempt at 10 ms, not at 100");
    clock.advanceMs(99);
    assertEquals(2, sent.size(), "and the one after it a whole delay later");
    clock.advanceMs(1);
    assertEquals(3, sent.size());
  }

  @Test
  void aFatalStatusEndsTheHedgedCallAndCancelsTheOthers() {
    Future<HelloReply> reply = call(hedged(100, 3), 10_000);
    clock.advanceMs(100);
    sent.get(0).fail(new CallFailure(GrpcStatus.INVALID_ARGUMENT, "server answered INVALID_ARGUMENT"));
    assertEquals(GrpcStatus.INVALID_ARGUMENT, ((CallFailure) reply.cause()).status());
    assertTrue(sent.get(1).cancelled());
    clock.advanceMs(1_000);
    assertEquals(2, sent.size());
  }

  @Test
  void aHedgedCallFollowsNoRetryPolicyAndFailsWhenEveryAttemptFailed() {
    Future<HelloReply> reply = call(AttemptPolicy.retrying(new RetryPolicy(RetryPolicy.Kind.IDEMPOTENT, 5))
        .withHedging(new HedgingPolicy(100, 2)), 10_000);
    sent.get(0).fail(unavailable());
    sent.get(1).fail(unavailable());
    assertEquals(2, sent.size(), "hedging's 2 attempts, not the retry policy's 5");
    assertEquals(GrpcStatus.UNAVAILABLE, ((CallFailure) reply.cause()).status());
    assertEquals(0, counters.retries().policy(), "no retry by the policy");
    assertEquals(1, counters.attempts().hedged());
  }

  @Test
  void withoutHedgingACallWaitsForItsOneAttemptAndRetriesByThePolicy() {
    Future<HelloReply> reply = call(AttemptPolicy.retrying(RETRY_TWICE), 10_000);
    clock.advanceMs(5_000);
    assertEquals(1, sent.size(), "no hedge");
    sent.get(0).fail(unavailable());
    assertEquals(2, sent.size());
    assertNotEquals(sent.get(0).endpoint(), sent.get(1).endpoint());
    sent.get(1).answer("10.0.0.2");
    assertTrue(reply.succeeded());
    assertEquals(1, counters.retries().policy());
    assertEquals(0, counters.attempts().hedged());
  }

  @Test
  void theThrottleGivesAndTakesTokensAsA6Says() {
    RetryThrottle tokens = new RetryThrottle(new RetryThrottling(10, 0.1));
    assertEquals(10, tokens.tokens());
    for (int i = 0; i < 4; i++) {
      tokens.failed();
    }
    assertTrue(tokens.allowsResend(), "6 tokens > 10 / 2");
    tokens.failed();
    assertFalse(tokens.allowsResend(), "5 tokens is not above 10 / 2");
    tokens.succeeded();
    assertEquals(5.1, tokens.tokens(), 1e-9, "a ratio of 0.1 adds up exactly, in thousandths");
    assertTrue(tokens.allowsResend());
    for (int i = 0; i < 100; i++) {
      tokens.succeeded();
    }
    assertEquals(10, tokens.tokens(), "never above the maximum");
    for (int i = 0; i < 20; i++) {
      tokens.failed();
    }
    assertEquals(0, tokens.tokens(), "never below 0");
    RetryThrottle off = new RetryThrottle(RetryThrottling.OFF);
    off.failed();
    assertTrue(off.allowsResend(), "0 tokens: off");
  }

  @Test
  void theThrottleStopsHedgesAndTheCallStillGetsItsAnswer() {
    throttle = new RetryThrottle(new RetryThrottling(2, 0.1));
    throttle.failed(); // 1 token, not above 2 / 2
    Future<HelloReply> reply = call(hedged(100, 3), 10_000);
    clock.advanceMs(1_000);
    assertEquals(1, sent.size(), "no hedge while throttled");
    assertEquals(1, counters.attempts().throttled(), "refused once, then no more hedges for this call");
    sent.get(0).answer("10.0.0.1");
    assertTrue(reply.succeeded());
    assertEquals(1.1, throttle.tokens(), 1e-9);
  }

  @Test
  void theThrottleStopsPolicyRetriesButNeverTransparentOnes() {
    throttle = new RetryThrottle(new RetryThrottling(2, 0.1));
    Future<HelloReply> reply = call(AttemptPolicy.retrying(RETRY_TWICE), 10_000);
    sent.get(0).fail(CallFailure.unprocessed("stream refused by the server before processing"));
    assertEquals(2, sent.size(), "a call that never ran is re-sent, throttle or not");
    assertEquals(2, throttle.tokens(), "and costs no token");
    sent.get(1).fail(unavailable());
    assertEquals(2, sent.size(), "1 token left: the policy's retry is refused");
    assertEquals(GrpcStatus.UNAVAILABLE, ((CallFailure) reply.cause()).status());
    assertEquals(1, counters.attempts().throttled());
    assertEquals(new Retries(1, 0), counters.retries());
  }

  @Test
  void hedgesShareOneTimerOfTheSchedulerBeneath() {
    for (int i = 0; i < 100; i++) {
      call(hedged(100, 2), 10_000);
      clock.advanceMs(0.1);
    }
    assertEquals(1, clock.pendingTimers(), "100 hedges waiting, one timer");
    clock.advanceMs(100);
    assertEquals(200, sent.size(), "every call hedged at its own delay");
  }

  /**
   * A call whose own policy has nothing waits for that policy, not for the channel's default: a pick_first call while
   * pick_first reconnects and round robin has an endpoint (it used to skip the wait and fail "no endpoint").
   */
  @Test
  void aCallWithNothingToPickWaitsForItsOwnRouteAndGoesWhenThatHasAnEndpoint() {
    CallRoute pickFirst = new CallRoute(LbPolicy.PICK_FIRST, FleetPolicy.OFF);
    Subchannel roundRobins = pods.get(0);
    picker = new SubchannelPicker() {
      @Override
      public Subchannel pick(LbPolicy policy, Subchannel avoid) {
        return policy == LbPolicy.PICK_FIRST ? null : roundRobins;
      }

      @Override
      public List<Subchannel> targets() {
        return List.of(roundRobins);
      }

      @Override
      public List<Subchannel> targets(CallRoute route) {
        return route.lb() == LbPolicy.PICK_FIRST ? List.of() : targets();
      }

      @Override
      public String noneReason() {
        return null;
      }

      @Override
      public String noneReason(CallRoute route) {
        return route.lb() == LbPolicy.PICK_FIRST ? "pick_first is connecting to 10.0.0.2:50051" : null;
      }
    };
    List<CallRoute> waitedOn = new ArrayList<>();
    Promise<Void> pickFirstReady = Promise.promise();
    CallRouting routing = new CallRouting(() -> picker, route -> {
      waitedOn.add(route);
      return pickFirstReady.future();
    }, timers, throttle, counters);
    CallOptions options = new CallOptions(clock.nanoTime() + 10_000_000_000L, "no reply within 10000 ms",
        new Cancellation());
    Future<HelloReply> reply = new BalancedCall(routing, REQUEST, pickFirst, AttemptPolicy.DEFAULT, options).start();
    assertEquals(List.of(pickFirst), waitedOn, "it waits on its own route");
    assertTrue(sent.isEmpty(), "not sent to round robin's endpoint");
    assertFalse(reply.isComplete(), "waiting, not failed");

    picker = SubchannelPicker.of(new Picker.RoundRobin<>(List.of(pods.get(1)), new AtomicInteger()));
    pickFirstReady.complete();
    assertEquals(List.of("10.0.0.2:50051"), endpointsSent());
    sent.get(0).answer("10.0.0.2");
    assertTrue(reply.succeeded(), String.valueOf(reply.cause()));
  }

  /** With nothing for its route when the wait ends, the call fails with its own policy's reason. */
  @Test
  void aCallStillWithNothingAfterTheWaitFailsWithItsOwnRoutesReason() {
    picker = SubchannelPicker.none("pick_first is connecting to 10.0.0.2:50051");
    CallRouting routing = new CallRouting(() -> picker, route -> Future.succeededFuture(), timers, throttle, counters);
    CallOptions options = new CallOptions(clock.nanoTime() + 10_000_000_000L, "no reply within 10000 ms",
        new Cancellation());
    Future<HelloReply> reply = new BalancedCall(routing, REQUEST, new CallRoute(LbPolicy.PICK_FIRST,
        FleetPolicy.OFF), AttemptPolicy.DEFAULT, options).start();
    CallFailure failure = (CallFailure) reply.cause();
    assertEquals(GrpcStatus.UNAVAILABLE, failure.status());
    assertEquals("pick_first is connecting to 10.0.0.2:50051", failure.reason());
  }
}

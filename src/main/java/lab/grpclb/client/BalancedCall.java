package lab.grpclb.client;

import experiment.Experiment.HelloReply;
import experiment.Experiment.HelloRequest;
import experiment.GreeterGrpcClient;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.grpc.common.GrpcStatus;
import java.util.ArrayList;
import java.util.List;
import lab.grpclb.balance.CallRoute;
import lab.grpclb.balance.Scheduler;
import lab.grpclb.balance.Subchannel;
import lab.grpclb.balance.SubchannelPicker;
import lab.grpclb.call.CallFailure;
import lab.grpclb.call.CallOptions;
import lab.grpclb.call.Cancellation;
import lab.grpclb.config.AttemptPolicy;
import lab.grpclb.config.FleetPolicy;
import lab.grpclb.config.LbPolicy;

/**
 * One call through the balancer, with gRPC's retry rules (gRFC A6), under one deadline for all attempts:
 * <ul>
 *   <li>a call the server's application never saw (not written, or refused with REFUSED_STREAM) is sent
 *       again on another endpoint, once, transparently: it cannot have run;</li>
 *   <li>a call that failed UNAVAILABLE after it may have reached a pod (its connection broke) is sent again
 *       only when its {@link AttemptPolicy} allows another attempt: the method must be safe to run twice;</li>
 *   <li>a hedged call sends another attempt each hedging delay while none has answered; the first reply wins and
 *       the other attempts are cancelled (RST_STREAM CANCEL), an UNAVAILABLE lets the next attempt go at once, and
 *       any other status ends the call;</li>
 *   <li>retries and hedges go only while the channel's retry throttle allows (transparent retries always), never
 *       past the deadline, and each to an endpoint the call has not tried when there is one;</li>
 *   <li>a call with nowhere to go waits briefly for a READY endpoint, then fails saying why.</li>
 * </ul>
 * Every attempt picks with the call's {@link LbPolicy}. Runs on the balancer's event loop.
 */
final class BalancedCall {
  /** Why a hedged call's other attempts are cancelled once it has its answer. */
  static final CallFailure ANSWERED = new CallFailure(GrpcStatus.CANCELLED,
      "another attempt of the hedged call ended it");

  private final CallRouting channel;
  private final HelloRequest request;
  private final CallRoute route;
  private final LbPolicy lb;
  private final AttemptPolicy policy;
  private final CallOptions options;
  private final Promise<HelloReply> result = Promise.promise();
  /** The endpoints tried, by key, in order: a retry or a hedge goes elsewhere when it can. */
  private final List<String> tried = new ArrayList<>(2);
  /** Attempts sent and not ended; a hedged call's each with a cancellation of its own. */
  private final List<CallAttempt> inFlight = new ArrayList<>(2);
  private Scheduler.Timer hedgeTimer = Scheduler.Timer.NONE;
  /** The last pick, which a retry's pick avoids (as the picker's own object: each policy has its own). */
  private Subchannel last;
  /** Attempts as A6 counts them: a transparent retry re-sends one and is not another. */
  private int attempts;
  private boolean transparentRetryUsed;
  private boolean waitedForReady;
  /** Set before the outcome is given, so that its listeners (the experiment's tally) see every count. */
  private boolean settled;

  /** {@link #attempt}'s argument for an attempt not sent before. */
  private static final int NEW = 0;

  private record CallAttempt(int number, Cancellation cancellation) {
  }

  BalancedCall(CallRouting channel, HelloRequest request, LbPolicy lb, AttemptPolicy policy, CallOptions options) {
    this(channel, request, new CallRoute(lb, FleetPolicy.OFF), policy, options);
  }

  BalancedCall(CallRouting channel, HelloRequest request, CallRoute route, AttemptPolicy policy, CallOptions options) {
    this.channel = channel;
    this.request = request;
    this.route = route;
    this.lb = route.lb();
    this.policy = policy;
    this.options = options;
  }

  /** Sends the first attempt; on the channel's event loop. */
  Future<HelloReply> start() {
    attempt(NEW);
    return result.future();
  }

  Future<HelloReply> result() {
    return result.future();
  }

  /** A new attempt, or (a {@code resent} number) the attempt that never ran, sent again. */
  private void attempt(int resent) {
    if (options.cancellation().reason() != null) {
      end(options.cancellation().reason()); // cancelled while it waited for an endpoint or between attempts
      return;
    }
    SubchannelPicker picker = channel.picker();
    Subchannel target = untried(picker);
    if (target == null) {
      noEndpoint(picker, resent);
      return;
    }
    if (resent != NEW) {
      send(target, resent);
      return;
    }
    attempts++;
    countAnother();
    send(target, attempts);
    armHedge();
  }

  private void countAnother() {
    if (attempts == 1) {
      return;
    }
    if (policy.hedging().on()) {
      channel.counters().hedged();
    } else {
      channel.counters().retriedByPolicy();
    }
  }

  private void send(Subchannel target, int number) {
    last = target;
    tried.add(target.key());
    channel.counters().picked(lb);
    Cancellation cancellation = policy.hedging().on() ? options.cancellation().forAttempt() : options.cancellation();
    CallAttempt attempt = new CallAttempt(number, cancellation);
    inFlight.add(attempt);
    CallOptions sent = cancellation == options.cancellation() ? options : options.withCancellation(cancellation);
    target.call(GreeterGrpcClient.SayHello, request, sent).onComplete(ar -> ended(attempt, ar));
  }

  /**
   * An endpoint this call has not tried when the picker has one: the policy's pick, else (after as many picks as the
   * call has tried endpoints) the first untried target; with every target tried, the policy's pick other than the last.
   */
  private Subchannel untried(SubchannelPicker picker) {
    for (int i = 0; i <= tried.size(); i++) {
      Subchannel pick = picker.pick(route, last);
      if (pick == null || !tried.contains(pick.key())) {
        return pick;
      }
    }
    return picker.targets(route).stream().filter(s -> !tried.contains(s.key())).findFirst()
        .orElseGet(() -> picker.pick(route, last));
  }

  private void noEndpoint(SubchannelPicker picker, int resent) {
    if (!inFlight.isEmpty()) {
      armHedge(); // a hedge with nowhere to go: the attempts out may still answer, and a later hedge may find one
      return;
    }
    if (pastDeadline()) {
      return;
    }
    if (waitedForReady) {
      String reason = picker.noneReason(route);
      end(new CallFailure(GrpcStatus.UNAVAILABLE, reason == null ? "no endpoint" : reason));
      return;
    }
    waitedForReady = true;
    channel.awaitSomeReady(route).onComplete(v -> attempt(resent));
  }

  /** The next hedge after the delay, while attempts are left and it would go before the deadline. */
  private void armHedge() {
    hedgeTimer.cancel();
    hedgeTimer = Scheduler.Timer.NONE;
    if (!policy.hedging().on() || !policy.allowsAnother(attempts)) {
      return;
    }
    long delayMs = policy.hedging().delayMs();
    if (channel.scheduler().nanoTime() + delayMs * 1_000_000 >= options.deadlineNanos()) {
      return; // nothing is hedged past the deadline
    }
    hedgeTimer = channel.scheduler().schedule(delayMs, this::hedge);
  }

  private void hedge() {
    hedgeTimer = Scheduler.Timer.NONE;
    if (settled) {
      return;
    }
    if (!channel.throttle().allowsResend()) {
      channel.counters().throttled(); // no more hedges for this call; those out may still answer
      return;
    }
    attempt(NEW);
  }

  private void ended(CallAttempt attempt, AsyncResult<HelloReply> outcome) {
    inFlight.remove(attempt);
    if (settled) {
      return; // a hedge that lost, cancelled
    }
    if (outcome.succeeded()) {
      channel.throttle().succeeded();
      if (attempt.number() > 1 && policy.hedging().on()) {
        channel.counters().hedgeWon();
      }
      settle();
      result.complete(outcome.result());
      cancelTheOthers();
    } else {
      failed(attempt, CallFailure.of(outcome.cause()));
    }
  }

  /** Fails the call DEADLINE_EXCEEDED if its deadline has passed, whatever it was waiting for. */
  private boolean pastDeadline() {
    if (channel.scheduler().nanoTime() < options.deadlineNanos()) {
      return false;
    }
    end(new CallFailure(GrpcStatus.DEADLINE_EXCEEDED, options.deadlineReason()));
    return true;
  }

  private void failed(CallAttempt attempt, CallFailure failure) {
    if (failure.status() == GrpcStatus.DEADLINE_EXCEEDED) {
      end(failure);
    } else if (pastDeadline()) {
      return;
    } else if (failure.unprocessed() && !transparentRetryUsed) {
      transparentRetryUsed = true;
      channel.counters().retriedTransparently();
      attempt(attempt.number());
    } else if (!failure.transportFailure()) {
      end(failure); // a fatal status ends a hedged call too
    } else {
      channel.throttle().failed();
      another(failure);
    }
  }

  /** After an attempt failed UNAVAILABLE: the next goes at once if the policy and the throttle allow. */
  private void another(CallFailure failure) {
    if (!policy.allowsAnother(attempts)) {
      endUnlessInFlight(failure);
    } else if (!channel.throttle().allowsResend()) {
      channel.counters().throttled();
      hedgeTimer.cancel();
      endUnlessInFlight(failure);
    } else {
      attempt(NEW);
    }
  }

  /** A hedged call still has attempts out that may answer; otherwise it fails with this attempt's failure. */
  private void endUnlessInFlight(CallFailure failure) {
    if (inFlight.isEmpty()) {
      end(failure);
    }
  }

  private void end(CallFailure failure) {
    if (!settled) {
      settle();
      result.fail(failure);
      cancelTheOthers();
    }
  }

  /** The call has its outcome: no more hedges, and its attempts are counted. */
  private void settle() {
    settled = true;
    hedgeTimer.cancel();
    channel.counters().callEnded(attempts);
  }

  /** A hedged call's attempts still out are reset: their pods stop working on them. */
  private void cancelTheOthers() {
    for (CallAttempt loser : List.copyOf(inFlight)) {
      if (loser.cancellation() != options.cancellation()) {
        loser.cancellation().cancel(ANSWERED);
      }
    }
  }
}

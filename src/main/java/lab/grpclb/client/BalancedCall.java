package lab.grpclb.client;

import experiment.Experiment.HelloReply;
import experiment.Experiment.HelloRequest;
import experiment.GreeterGrpcClient;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.grpc.common.GrpcStatus;
import lab.grpclb.balance.Subchannel;
import lab.grpclb.balance.SubchannelPicker;
import lab.grpclb.call.CallFailure;
import lab.grpclb.call.CallOptions;
import lab.grpclb.config.LbPolicy;

/**
 * One call through the balancer, with gRPC's retry rules (gRFC A6), under one deadline for all attempts:
 * <ul>
 *   <li>a call the server's application never saw (not written, or refused with REFUSED_STREAM) is sent
 *       again on another endpoint, once, transparently: it cannot have run;</li>
 *   <li>a call that failed UNAVAILABLE after it may have reached a pod (its connection broke) is sent again
 *       only when the retry policy allows it: the method must be safe to run twice;</li>
 *   <li>nothing is retried past the deadline, and a call with nowhere to go waits briefly for a READY
 *       endpoint, then fails saying why.</li>
 * </ul>
 * Every attempt picks with the call's {@link LbPolicy}. Runs on the balancer's event loop.
 */
final class BalancedCall {
  private final BalancedChannel channel;
  private final HelloRequest request;
  private final LbPolicy policy;
  private final CallOptions options;
  private final Promise<HelloReply> result = Promise.promise();
  private Subchannel last;
  private int attempts;
  private boolean transparentRetryUsed;
  private boolean waitedForReady;

  BalancedCall(BalancedChannel channel, HelloRequest request, LbPolicy policy, CallOptions options) {
    this.channel = channel;
    this.request = request;
    this.policy = policy;
    this.options = options;
  }

  Future<HelloReply> start() {
    if (Vertx.currentContext() == channel.preferredContext()) {
      attempt();
    } else {
      channel.preferredContext().runOnContext(v -> attempt());
    }
    return result.future();
  }

  private void attempt() {
    if (options.cancellation().reason() != null) {
      result.tryFail(options.cancellation().reason()); // cancelled while it waited for an endpoint or between attempts
      return;
    }
    SubchannelPicker picker = channel.picker();
    Subchannel target = picker.pick(policy, last);
    if (target == null) {
      noEndpoint(picker);
      return;
    }
    last = target;
    attempts++;
    channel.countPick(policy);
    target.call(GreeterGrpcClient.SayHello, request, options).onComplete(ar -> {
      if (ar.succeeded()) {
        result.complete(ar.result());
      } else {
        failed(CallFailure.of(ar.cause()));
      }
    });
  }

  private void noEndpoint(SubchannelPicker picker) {
    if (pastDeadline()) {
      return;
    }
    if (waitedForReady) {
      String reason = picker.noneReason();
      result.fail(new CallFailure(GrpcStatus.UNAVAILABLE, reason == null ? "no endpoint" : reason));
      return;
    }
    waitedForReady = true;
    channel.awaitSomeReady().onComplete(v -> attempt());
  }

  /** Fails the call DEADLINE_EXCEEDED if its deadline has passed, whatever it was waiting for. */
  private boolean pastDeadline() {
    if (System.nanoTime() < options.deadlineNanos()) {
      return false;
    }
    result.tryFail(new CallFailure(GrpcStatus.DEADLINE_EXCEEDED, options.deadlineReason()));
    return true;
  }

  private void failed(CallFailure failure) {
    if (failure.status() == GrpcStatus.DEADLINE_EXCEEDED) {
      result.fail(failure);
    } else if (pastDeadline()) {
      return;
    } else if (failure.unprocessed() && !transparentRetryUsed) {
      transparentRetryUsed = true;
      attempts--; // it never ran: the retry policy does not count it
      channel.countTransparentRetry();
      attempt();
    } else if (failure.transportFailure() && channel.retryPolicy().allowsAnother(attempts)) {
      channel.countPolicyRetry();
      attempt();
    } else {
      result.fail(failure);
    }
  }
}

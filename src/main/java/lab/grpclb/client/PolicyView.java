package lab.grpclb.client;

import experiment.Experiment.HelloReply;
import experiment.Experiment.HelloRequest;
import io.vertx.core.Future;
import lab.grpclb.call.Cancellation;
import lab.grpclb.config.AttemptPolicy;
import lab.grpclb.config.LbPolicy;

/**
 * A {@link BalancedChannel} whose calls pick with one given policy and attempt as one given {@link AttemptPolicy}
 * says: the same endpoints, connections, throttle and counters, only the picker or the hedging differs. Made per
 * request ({@code lb=}, {@code hedging_delay_ms=}), so closing it closes nothing.
 */
final class PolicyView extends ForwardingChannel {
  private final BalancedChannel balanced;
  private final LbPolicy policy;
  private final AttemptPolicy attempts;

  PolicyView(BalancedChannel channel, LbPolicy policy, AttemptPolicy attempts) {
    super(channel);
    this.balanced = channel;
    this.policy = policy;
    this.attempts = attempts;
  }

  @Override
  public Future<HelloReply> sayHello(HelloRequest request, Cancellation cancellation) {
    return balanced.sayHello(request, policy, attempts, cancellation);
  }

  @Override
  public GreeterChannel withLb(LbPolicy lb) {
    return new PolicyView(balanced, lb, attempts);
  }

  @Override
  public GreeterChannel withHedgingDelay(int delayMs) {
    return new PolicyView(balanced, policy, attempts.withHedging(attempts.hedging().withDelayMs(delayMs)));
  }

  @Override
  public Future<Void> close() {
    return Future.succeededFuture();
  }
}

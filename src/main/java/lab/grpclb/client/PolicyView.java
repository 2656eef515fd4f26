package lab.grpclb.client;

import experiment.Experiment.HelloReply;
import experiment.Experiment.HelloRequest;
import io.vertx.core.Future;
import lab.grpclb.call.Cancellation;
import lab.grpclb.config.LbPolicy;

/**
 * A {@link BalancedChannel} whose calls pick with one given policy: the same endpoints, connections and
 * counters, only the picker differs. Made per request ({@code lb=}), so closing it closes nothing.
 */
final class PolicyView extends ForwardingChannel {
  private final BalancedChannel balanced;
  private final LbPolicy policy;

  PolicyView(BalancedChannel channel, LbPolicy policy) {
    super(channel);
    this.balanced = channel;
    this.policy = policy;
  }

  @Override
  public Future<HelloReply> sayHello(HelloRequest request, Cancellation cancellation) {
    return balanced.sayHello(request, policy, cancellation);
  }

  @Override
  public Future<Void> close() {
    return Future.succeededFuture();
  }
}

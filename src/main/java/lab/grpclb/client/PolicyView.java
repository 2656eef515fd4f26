package lab.grpclb.client;

import experiment.Experiment.HelloReply;
import experiment.Experiment.HelloRequest;
import io.vertx.core.Future;
import java.util.function.UnaryOperator;
import lab.grpclb.balance.CallRoute;
import lab.grpclb.call.Cancellation;
import lab.grpclb.config.AttemptPolicy;
import lab.grpclb.config.FleetPolicy;
import lab.grpclb.config.LbPolicy;

/**
 * A {@link BalancedChannel} whose calls pick on one given route (a policy and a fleet policy) and attempt as one given {@link AttemptPolicy}
 * says: the same endpoints, connections, throttle and counters, only the picker or the hedging differs. Made per
 * request ({@code lb=}, {@code subset_size=}, {@code zone_aware=}, {@code hedging_delay_ms=}), so closing it closes nothing.
 */
final class PolicyView extends ForwardingChannel {
  private final BalancedChannel balanced;
  private final CallRoute route;
  private final AttemptPolicy attempts;

  PolicyView(BalancedChannel channel, CallRoute route, AttemptPolicy attempts) {
    super(channel);
    this.balanced = channel;
    this.route = route;
    this.attempts = attempts;
  }

  @Override
  public Future<HelloReply> sayHello(HelloRequest request, Cancellation cancellation) {
    return balanced.sayHello(request, route, attempts, cancellation);
  }

  @Override
  public GreeterChannel withLb(LbPolicy lb) {
    return new PolicyView(balanced, route.withLb(lb), attempts);
  }

  @Override
  public GreeterChannel withFleet(UnaryOperator<FleetPolicy> change) {
    return new PolicyView(balanced, route.withFleet(change.apply(route.fleet())), attempts);
  }

  @Override
  public GreeterChannel withHedgingDelay(int delayMs) {
    return new PolicyView(balanced, route, attempts.withHedging(attempts.hedging().withDelayMs(delayMs)));
  }

  @Override
  public Future<Void> close() {
    return Future.succeededFuture();
  }
}

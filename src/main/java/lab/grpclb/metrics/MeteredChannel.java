package lab.grpclb.metrics;

import experiment.Experiment.HelloReply;
import experiment.Experiment.HelloRequest;
import io.vertx.core.Future;
import java.util.function.UnaryOperator;
import lab.grpclb.call.Cancellation;
import lab.grpclb.client.ForwardingChannel;
import lab.grpclb.client.GreeterChannel;
import lab.grpclb.config.FleetPolicy;
import lab.grpclb.config.LbPolicy;

/** A client type's channel whose calls are counted in its {@link CallMeters}; everything else is the channel's own. */
public final class MeteredChannel extends ForwardingChannel {
  private final CallMeters meters;

  MeteredChannel(GreeterChannel channel, CallMeters meters) {
    super(channel);
    this.meters = meters;
  }

  @Override
  public Future<HelloReply> sayHello(HelloRequest request, Cancellation cancellation) {
    long start = System.nanoTime();
    meters.started();
    return channel.sayHello(request, cancellation).onComplete(result -> meters.ended(result, start));
  }

  @Override
  public GreeterChannel withLb(LbPolicy policy) {
    return metered(channel.withLb(policy));
  }

  @Override
  public GreeterChannel withFleet(UnaryOperator<FleetPolicy> change) {
    return metered(channel.withFleet(change));
  }

  @Override
  public GreeterChannel withHedgingDelay(int delayMs) {
    return metered(channel.withHedgingDelay(delayMs));
  }

  /** A view of the channel, its calls counted here too. */
  private GreeterChannel metered(GreeterChannel view) {
    return view == channel ? this : new MeteredChannel(view, meters);
  }
}

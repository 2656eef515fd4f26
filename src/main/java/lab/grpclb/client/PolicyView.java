package lab.grpclb.client;

import experiment.Experiment.HelloReply;
import experiment.Experiment.HelloRequest;
import io.vertx.core.Context;
import io.vertx.core.Future;
import java.util.List;
import lab.grpclb.config.LbPolicy;

/**
 * A {@link BalancedChannel} whose calls pick with one given policy: the same endpoints, connections and
 * counters, only the picker differs. Made per request ({@code lb=}), so closing it closes nothing.
 */
final class PolicyView implements GreeterChannel {
  private final BalancedChannel channel;
  private final LbPolicy policy;

  PolicyView(BalancedChannel channel, LbPolicy policy) {
    this.channel = channel;
    this.policy = policy;
  }

  @Override
  public Future<HelloReply> sayHello(HelloRequest request) {
    return channel.sayHello(request, policy);
  }

  @Override
  public GreeterChannel withLb(LbPolicy other) {
    return channel.withLb(other);
  }

  @Override
  public Future<Void> warmUp() {
    return channel.warmUp();
  }

  @Override
  public String unavailableReason() {
    return channel.unavailableReason();
  }

  @Override
  public List<String> endpoints() {
    return channel.endpoints();
  }

  @Override
  public Retries retries() {
    return channel.retries();
  }

  @Override
  public Context preferredContext() {
    return channel.preferredContext();
  }

  @Override
  public long connectionsOpened() {
    return channel.connectionsOpened();
  }

  @Override
  public int connectionsOpen() {
    return channel.connectionsOpen();
  }

  @Override
  public Future<Void> close() {
    return Future.succeededFuture();
  }
}

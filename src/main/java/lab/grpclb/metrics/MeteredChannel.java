package lab.grpclb.metrics;

import experiment.Experiment.HelloReply;
import experiment.Experiment.HelloRequest;
import io.vertx.core.Context;
import io.vertx.core.Future;
import java.util.List;
import lab.grpclb.client.GreeterChannel;
import lab.grpclb.client.Retries;
import lab.grpclb.config.LbPolicy;

/** A client type's channel whose calls are counted in its {@link CallMeters}; everything else is the channel's own. */
public final class MeteredChannel implements GreeterChannel {
  private final GreeterChannel channel;
  private final CallMeters meters;

  MeteredChannel(GreeterChannel channel, CallMeters meters) {
    this.channel = channel;
    this.meters = meters;
  }

  @Override
  public Future<HelloReply> sayHello(HelloRequest request) {
    long start = System.nanoTime();
    meters.started();
    return channel.sayHello(request).onComplete(result -> meters.ended(result, start));
  }

  @Override
  public GreeterChannel withLb(LbPolicy policy) {
    GreeterChannel view = channel.withLb(policy);
    return view == channel ? this : new MeteredChannel(view, meters);
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
  public Integer maxOpenConnections() {
    return channel.maxOpenConnections();
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
    return channel.close();
  }
}

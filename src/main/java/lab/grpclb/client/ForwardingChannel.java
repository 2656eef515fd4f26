package lab.grpclb.client;

import experiment.Experiment.HelloReply;
import experiment.Experiment.HelloRequest;
import io.vertx.core.Context;
import io.vertx.core.Future;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import lab.grpclb.call.Cancellation;
import lab.grpclb.config.FleetPolicy;
import lab.grpclb.config.LbPolicy;

/** A channel that hands everything to another one; subclasses change what they are for (the picker, metering). */
public abstract class ForwardingChannel implements GreeterChannel {
  protected final GreeterChannel channel;

  protected ForwardingChannel(GreeterChannel channel) {
    this.channel = channel;
  }

  @Override
  public Future<HelloReply> sayHello(HelloRequest request, Cancellation cancellation) {
    return channel.sayHello(request, cancellation);
  }

  @Override
  public GreeterChannel withLb(LbPolicy policy) {
    return channel.withLb(policy);
  }

  @Override
  public GreeterChannel withFleet(UnaryOperator<FleetPolicy> change) {
    return channel.withFleet(change);
  }

  @Override
  public GreeterChannel withHedgingDelay(int delayMs) {
    return channel.withHedgingDelay(delayMs);
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
  public Attempts attempts() {
    return channel.attempts();
  }

  @Override
  public Map<String, Long> attemptsPerIp() {
    return channel.attemptsPerIp();
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

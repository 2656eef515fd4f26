package lab.grpclb.client;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.grpc.common.ServiceMethod;
import java.util.List;
import lab.grpclb.balance.EndpointLoad;
import lab.grpclb.balance.FakeClock;
import lab.grpclb.balance.OutlierTracker;
import lab.grpclb.balance.Subchannel;
import lab.grpclb.call.CallFailure;
import lab.grpclb.call.CallOptions;

/**
 * A READY endpoint whose calls wait until the test ends them, as a pod that answers late or never: no socket, no
 * event loop. Each call keeps the options it was sent with, so a test sees whether its attempt was cancelled.
 */
final class HeldSubchannel implements Subchannel {
  private final String key;
  private final EndpointLoad load;
  private final OutlierTracker outliers = new OutlierTracker();
  private final List<HeldCall> sent;

  /** One call sent to {@code endpoint}, not ended until the test says. */
  record HeldCall(String endpoint, CallOptions options, Promise<Object> reply) {
    boolean cancelled() {
      return options.cancellation().reason() != null;
    }

    CallFailure cancelledWith() {
      return options.cancellation().reason();
    }

    void answer(String ip) {
      reply.complete(experiment.Experiment.HelloReply.newBuilder().setIpAddress(ip).build());
    }

    void fail(CallFailure failure) {
      reply.fail(failure);
    }
  }

  /** Its calls join {@code sent}, the test's log of every endpoint's calls in the order they were sent. */
  HeldSubchannel(String key, FakeClock clock, List<HeldCall> sent) {
    this.key = key;
    this.load = new EndpointLoad(10_000, 30, clock);
    this.sent = sent;
  }

  @Override
  public String key() {
    return key;
  }

  @Override
  public void start(StateListener listener) {
  }

  @Override
  public void requestConnection() {
  }

  @Override
  @SuppressWarnings("unchecked")
  public <Q, R> Future<R> call(ServiceMethod<R, Q> method, Q request, CallOptions options) {
    HeldCall call = new HeldCall(key, options, Promise.promise());
    sent.add(call);
    return (Future<R>) call.reply().future();
  }

  @Override
  public EndpointLoad load() {
    return load;
  }

  @Override
  public OutlierTracker outliers() {
    return outliers;
  }

  @Override
  public Future<Void> drain() {
    return Future.succeededFuture();
  }

  @Override
  public String toString() {
    return key;
  }
}

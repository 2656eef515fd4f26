package lab.grpclb.experiment;

import experiment.Experiment.HelloReply;
import experiment.Experiment.HelloRequest;
import io.vertx.core.Future;
import io.vertx.grpc.common.GrpcStatus;
import java.util.List;
import lab.grpclb.call.CallFailure;
import lab.grpclb.call.Cancellation;
import lab.grpclb.client.GreeterChannel;

/** A client type that cannot run in this configuration; experiments with it answer 503 with the reason. */
public final class UnavailableChannel implements GreeterChannel {
  private final String reason;

  public UnavailableChannel(String reason) {
    this.reason = reason;
  }

  @Override
  public String unavailableReason() {
    return reason;
  }

  @Override
  public Future<HelloReply> sayHello(HelloRequest request, Cancellation cancellation) {
    return Future.failedFuture(new CallFailure(GrpcStatus.UNAVAILABLE, reason));
  }

  @Override
  public List<String> endpoints() {
    return List.of();
  }

  @Override
  public long connectionsOpened() {
    return 0;
  }

  @Override
  public int connectionsOpen() {
    return 0;
  }

  @Override
  public Future<Void> close() {
    return Future.succeededFuture();
  }
}

package lab.grpclb.client;

import experiment.Experiment.HelloReply;
import experiment.Experiment.HelloRequest;
import experiment.GreeterGrpcClient;
import io.vertx.core.Future;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.common.GrpcStatus;
import java.util.concurrent.TimeUnit;

/** One SayHello over a given gRPC client, with a deadline, failing with a {@link CallFailure}. */
final class GrpcCall {
  private GrpcCall() {
  }

  static Future<HelloReply> sayHello(GrpcClient client, SocketAddress server, HelloRequest request, long timeoutMs) {
    return client.request(server, GreeterGrpcClient.SayHello)
        .compose(call -> call.timeout(timeoutMs, TimeUnit.MILLISECONDS).send(request))
        .compose(response -> response.last().recover(err -> Future.failedFuture(
            response.status() != null && response.status() != GrpcStatus.OK
                ? new CallFailure(response.status(), reasonOf(response.statusMessage(), response.status()))
                : CallFailure.of(err))))
        .recover(err -> Future.failedFuture(CallFailure.of(err)));
  }

  private static String reasonOf(String message, GrpcStatus status) {
    return message == null || message.isEmpty() ? "server answered " + status.name() : message;
  }
}

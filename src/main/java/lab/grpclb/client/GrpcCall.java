package lab.grpclb.client;

import experiment.Experiment.HelloReply;
import experiment.Experiment.HelloRequest;
import experiment.GreeterGrpcClient;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.client.GrpcClientRequest;
import io.vertx.grpc.common.GrpcStatus;
import java.util.concurrent.TimeUnit;

/**
 * One SayHello over a given gRPC client with a deadline, failing with a {@link CallFailure}. The deadline is
 * enforced here (see {@link Deadlines}): a gRPC client built on a connection only sends the grpc-timeout
 * header and would wait forever for a pod that never answers.
 */
final class GrpcCall {
  private final Promise<HelloReply> result = Promise.promise();
  private final long timeoutMs;
  private final long deadlineNanos;
  private GrpcClientRequest<HelloRequest, HelloReply> sent;

  private GrpcCall(long timeoutMs) {
    this.timeoutMs = timeoutMs;
    this.deadlineNanos = System.nanoTime() + timeoutMs * 1_000_000;
  }

  /** Call on the event loop the call should run on. */
  static Future<HelloReply> sayHello(Vertx vertx, GrpcClient client, SocketAddress server, HelloRequest request,
                                     long timeoutMs) {
    GrpcCall call = new GrpcCall(timeoutMs);
    Deadlines.watch(vertx, timeoutMs, call);
    client.request(server, GreeterGrpcClient.SayHello)
        .compose(req -> {
          call.sent = req;
          return req.timeout(timeoutMs, TimeUnit.MILLISECONDS).send(request);
        })
        .compose(response -> response.last().recover(err -> Future.failedFuture(
            response.status() != null && response.status() != GrpcStatus.OK
                ? new CallFailure(response.status(), reasonOf(response.statusMessage(), response.status()))
                : CallFailure.of(err))))
        .onComplete(ar -> {
          call.sent = null; // the stream may go: a completed call waits in Deadlines only as this small object
          if (ar.succeeded()) {
            call.result.tryComplete(ar.result());
          } else {
            call.result.tryFail(CallFailure.of(ar.cause()));
          }
        });
    return call.result.future();
  }

  long deadlineNanos() {
    return deadlineNanos;
  }

  boolean completed() {
    return result.future().isComplete();
  }

  void expire() {
    if (result.tryFail(new CallFailure(GrpcStatus.DEADLINE_EXCEEDED,
        "no reply within " + timeoutMs + " ms (--call-timeout-ms)")) && sent != null) {
      sent.cancel(); // RST_STREAM: the server may stop working on it
    }
  }

  private static String reasonOf(String message, GrpcStatus status) {
    return message == null || message.isEmpty() ? "server answered " + status.name() : message;
  }
}

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
 * header and would wait forever for a pod that never answers. At the deadline the stream is cancelled
 * (RST_STREAM CANCEL), so the server stops working on it and both sides free its state.
 */
final class GrpcCall {
  /** The server's deadline timer (whole milliseconds) may fire a hair before ours. */
  private static final long DEADLINE_SLACK_NANOS = 1_000_000;
  private final Promise<HelloReply> result = Promise.promise();
  private final long deadlineNanos;
  private final String deadlineReason;
  private final String endpoint;
  private final Cancellation cancellation;
  private GrpcClientRequest<HelloRequest, HelloReply> sent;

  private GrpcCall(long deadlineNanos, String deadlineReason, String endpoint, Cancellation cancellation) {
    this.deadlineNanos = deadlineNanos;
    this.deadlineReason = deadlineReason;
    this.endpoint = endpoint;
    this.cancellation = cancellation;
  }

  /** The reason a call past its deadline gives, naming the flag that set it. */
  static String deadlineReason(long timeoutMs) {
    return "no reply within " + timeoutMs + " ms (--call-timeout-ms)";
  }

  /**
   * Call on the event loop the call should run on; {@code deadlineReason} says which setting set the deadline, and
   * {@code cancellation} may end the call before it.
   */
  static Future<HelloReply> sayHello(Vertx vertx, GrpcClient client, SocketAddress server, HelloRequest request,
                                     long deadlineNanos, String deadlineReason, Cancellation cancellation) {
    GrpcCall call = new GrpcCall(deadlineNanos, deadlineReason, server.hostAddress(), cancellation);
    long timeoutMs = Deadlines.millisUntil(deadlineNanos);
    if (cancellation.reason() != null) {
      call.cancel();
      return call.result.future();
    }
    if (timeoutMs <= 0) {
      call.expire();
      return call.result.future();
    }
    Deadlines.watch(vertx, call);
    client.request(server, GreeterGrpcClient.SayHello)
        .compose(req -> {
          if (call.completed()) {
            req.cancel(); // expired while the stream was being created
            return Future.failedFuture(call.result.future().cause());
          }
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
          } else if (System.nanoTime() >= call.deadlineNanos - DEADLINE_SLACK_NANOS) {
            call.expire(); // past the deadline whatever broke it (the server cancels it at its own deadline too)
          } else {
            call.result.tryFail(CallFailure.of(ar.cause()).at(call.endpoint));
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

  Cancellation cancellation() {
    return cancellation;
  }

  void expire() {
    end(new CallFailure(GrpcStatus.DEADLINE_EXCEEDED, deadlineReason));
  }

  /** Its cancellation was cancelled: the call fails with the cancellation's reason. */
  void cancel() {
    end(cancellation.reason());
  }

  private void end(CallFailure failure) {
    if (result.tryFail(failure.at(endpoint)) && sent != null) {
      GrpcClientRequest<HelloRequest, HelloReply> stream = sent;
      sent = null;
      stream.cancel(); // RST_STREAM CANCEL: the server stops working on it
    }
  }

  private static String reasonOf(String message, GrpcStatus status) {
    return message == null || message.isEmpty() ? "server answered " + status.name() : message;
  }
}

package lab.grpclb.client;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.client.GrpcClientRequest;
import io.vertx.grpc.client.GrpcClientResponse;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.common.ServiceMethod;
import java.util.function.Consumer;
import lab.grpclb.call.CallFailure;
import lab.grpclb.call.GrpcCall;

/** One server-streaming call over a Vert.x gRPC client (a health Watch), on the caller's event loop. */
final class GrpcServerStream<Q, R> implements Transport.ServerStream {
  private final Promise<Void> ended = Promise.promise();
  private GrpcClientRequest<Q, R> sent;

  private GrpcServerStream() {
  }

  static <Q, R> Transport.ServerStream open(GrpcClient client, SocketAddress server, ServiceMethod<R, Q> method,
                                            Q request, Consumer<R> replies) {
    GrpcServerStream<Q, R> stream = new GrpcServerStream<>();
    client.request(server, method)
        .compose(req -> {
          if (stream.ended.future().isComplete()) { // cancelled while the stream was being created
            GrpcCall.cancelUnsent(req, request); // so that the connection counts the stream out (see there)
            return Future.failedFuture(cancelledFailure());
          }
          stream.sent = req;
          return req.send(request);
        })
        .compose(response -> {
          response.handler(replies::accept);
          return response.end().recover(err -> Future.failedFuture(failure(response, err)));
        })
        .onComplete(ar -> {
          stream.sent = null;
          if (ar.succeeded()) {
            stream.ended.tryComplete();
          } else {
            stream.ended.tryFail(CallFailure.of(ar.cause()));
          }
        });
    return stream;
  }

  private static CallFailure failure(GrpcClientResponse<?, ?> response, Throwable err) {
    GrpcStatus status = response.status();
    if (status == null || status == GrpcStatus.OK) {
      return CallFailure.of(err);
    }
    String message = response.statusMessage();
    return new CallFailure(status, message == null || message.isEmpty() ? "server answered " + status.name() : message);
  }

  private static CallFailure cancelledFailure() {
    return new CallFailure(GrpcStatus.CANCELLED, "cancelled by the client");
  }

  @Override
  public Future<Void> ended() {
    return ended.future();
  }

  @Override
  public void cancel() {
    ended.tryFail(cancelledFailure());
    if (sent != null) {
      GrpcClientRequest<Q, R> stream = sent;
      sent = null;
      stream.cancel();
    }
  }
}

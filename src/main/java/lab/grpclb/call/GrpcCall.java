package lab.grpclb.call;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.client.GrpcClientRequest;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.common.ServiceMethod;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import lab.grpclb.transport.GoAwayStreams;
import lab.grpclb.transport.StreamQueues;

/**
 * One unary call over a given gRPC client with a deadline, failing with a {@link CallFailure}; the caller supplies
 * the method, so a connection knows no service. The deadline is
 * enforced here (see {@link Deadlines}): a gRPC client built on a connection only sends the grpc-timeout
 * header and would wait forever for a pod that never answers. At the deadline the stream is cancelled
 * (RST_STREAM CANCEL), so the server stops working on it and both sides free its state.
 */
public final class GrpcCall<Q, R> {
  /** The server's deadline timer (whole milliseconds) may fire a hair before ours. */
  private static final long DEADLINE_SLACK_NANOS = 1_000_000;
  private static final String ABOVE_LAST_STREAM_ID = "stream above the server's GOAWAY last-stream-id, never processed";
  private final Promise<R> result = Promise.promise();
  private final CallOptions options;
  private final String endpoint;
  private GrpcClientRequest<Q, R> sent;

  private GrpcCall(CallOptions options, String endpoint) {
    this.options = options;
    this.endpoint = endpoint;
  }

  /** The reason a call past its deadline gives, naming the flag that set it. */
  public static String deadlineReason(long timeoutMs) {
    return "no reply within " + timeoutMs + " ms (--call-timeout-ms)";
  }

  /** Call on the event loop the call should run on; {@code options} give its deadline and cancellation. */
  public static <Q, R> Future<R> call(Vertx vertx, GrpcClient client, SocketAddress server, ServiceMethod<R, Q> method,
                                      Q request, CallOptions options) {
    return call(vertx, client, server, method, request, options, null, null);
  }

  /**
   * The same, handing {@code trailers} the trailers the server ended the call with (a load report may be there);
   * null: they are not looked at. A call that waits for a stream is held in {@code waits} (null: none), the
   * connection's, which fails it if the connection closes first.
   */
  public static <Q, R> Future<R> call(Vertx vertx, GrpcClient client, SocketAddress server, ServiceMethod<R, Q> method,
                                      Q request, CallOptions options, Consumer<MultiMap> trailers,
                                      StreamWaits waits) {
    GrpcCall<Q, R> call = new GrpcCall<>(options, server.hostAddress());
    long timeoutMs = Deadlines.millisUntil(options.deadlineNanos());
    if (options.cancellation().reason() != null) {
      call.cancel();
      return call.result.future();
    }
    if (timeoutMs <= 0) {
      call.expire();
      return call.result.future();
    }
    Deadlines.watch(vertx, call);
    options.cancellation().onAttemptCancelled(call::cancel);
    Future<GrpcClientRequest<Q, R>> requested = client.request(server, method);
    (waits == null ? requested : waits.guard(requested, late -> cancelUnsent(late, request)))
        .compose(req -> {
          if (call.completed()) { // expired or cancelled while it waited for its stream
            cancelUnsent(req, request);
            return Future.failedFuture(call.result.future().cause());
          }
          call.sent = req;
          StreamQueues.shrink(req); // a 48-byte queue held per call in flight, not Vert.x's 4.9 KB
          if (options.clientZone() != null) {
            req.headers().set(CallOptions.CLIENT_ZONE_HEADER, options.clientZone());
          }
          // what is left of the deadline: the call may have waited for its stream (the server's streams limit)
          long leftMs = Math.max(1, Deadlines.millisUntil(options.deadlineNanos()));
          return req.timeout(leftMs, TimeUnit.MILLISECONDS).send(request);
        })
        .compose(response -> (trailers == null ? response.last()
            : response.last().andThen(ended -> trailers.accept(response.trailers()))).recover(err -> Future.failedFuture(
            response.status() != null && response.status() != GrpcStatus.OK
                ? new CallFailure(response.status(), reasonOf(response.statusMessage(), response.status()))
                : CallFailure.of(err))))
        .onComplete(ar -> {
          GrpcClientRequest<Q, R> stream = call.sent;
          call.sent = null; // the stream may go: a completed call waits in Deadlines only as this small object
          if (ar.succeeded()) {
            call.result.tryComplete(ar.result());
          } else if (System.nanoTime() >= call.options.deadlineNanos() - DEADLINE_SLACK_NANOS) {
            call.expire(); // past the deadline whatever broke it (the server cancels it at its own deadline too)
          } else {
            call.result.tryFail(failure(ar.cause(), stream).at(call.endpoint));
          }
        });
    return call.result.future();
  }

  /**
   * Gives back the stream of a call that ended while it waited for one: sends the request, then cancels it (RST_STREAM
   * CANCEL). Cancelling it unsent would leak the stream's place on the connection: in Vert.x 5.0.7 a stream reset
   * before its HEADERS are written (VertxHttp2Stream.doWriteReset without a stream id) never closes, so the
   * connection (UnpooledHttpClientConnection) never counts it out of the server's SETTINGS_MAX_CONCURRENT_STREAMS,
   * and once as many calls as the limit ended waiting, every later call waited forever (MaxConcurrentStreamsTest).
   * Sent, it closes as any cancelled call does; the server sees a call reset at once, which costs it nothing.
   */
  public static <Q> void cancelUnsent(GrpcClientRequest<Q, ?> stream, Q request) {
    stream.send(request);
    stream.cancel();
  }

  /**
   * What broke the call. A stream the server's GOAWAY left out (above its last-stream-id) fails in Vert.x like one
   * cut after the server took it ("connection closed"), but the server never processed it (RFC 9113 6.8): it is
   * {@linkplain CallFailure#unprocessed() unprocessed}, so it may be sent again on a new connection.
   */
  private static CallFailure failure(Throwable error, GrpcClientRequest<?, ?> stream) {
    CallFailure failure = CallFailure.of(error);
    if (failure.transportFailure() && !failure.unprocessed() && stream != null
        && GoAwayStreams.aboveLastStreamId(stream)) {
      return CallFailure.unprocessed(ABOVE_LAST_STREAM_ID);
    }
    return failure;
  }

  long deadlineNanos() {
    return options.deadlineNanos();
  }

  boolean completed() {
    return result.future().isComplete();
  }

  Cancellation cancellation() {
    return options.cancellation();
  }

  void expire() {
    end(new CallFailure(GrpcStatus.DEADLINE_EXCEEDED, options.deadlineReason()));
  }

  /** Its cancellation was cancelled: the call fails with the cancellation's reason. */
  void cancel() {
    end(options.cancellation().reason());
  }

  private void end(CallFailure failure) {
    if (result.tryFail(failure.at(endpoint)) && sent != null) {
      GrpcClientRequest<Q, R> stream = sent;
      sent = null;
      stream.cancel(); // RST_STREAM CANCEL: the server stops working on it
    }
  }

  private static String reasonOf(String message, GrpcStatus status) {
    return message == null || message.isEmpty() ? "server answered " + status.name() : message;
  }
}

package lab.grpclb.client;

import io.vertx.core.Future;
import io.vertx.grpc.common.ServiceMethod;
import java.util.function.Consumer;
import lab.grpclb.balance.Subchannel.LoadReportListener;
import lab.grpclb.call.CallOptions;

/** One established connection that carries calls: HTTP/2 in use ({@link Http2Connector}), a fake in tests. */
public interface Transport {

  /** One unary call; {@code loadReports} hears the pod's load report in its trailers, if any (null: not read). */
  <Q, R> Future<R> call(ServiceMethod<R, Q> method, Q request, CallOptions options, LoadReportListener loadReports);

  /**
   * One server-streaming call on this connection, with no deadline (it lasts as long as the server keeps it):
   * {@code replies} gets each message, on the connection's event loop.
   */
  <Q, R> ServerStream serverStream(ServiceMethod<R, Q> method, Q request, Consumer<R> replies);

  /** Sends GOAWAY and closes once the calls in flight have ended, or {@code timeoutMs} has passed. */
  Future<Void> drain(long timeoutMs);

  /** Sends an HTTP/2 PING; completes when its ACK arrives. */
  Future<Void> ping();

  /** Closes now: its calls in flight fail (a connection that stopped answering cannot end them). */
  Future<Void> close();

  /** A server-streaming call in progress. */
  interface ServerStream {
    /** Completes when the server ends the call with OK; fails with a {@link lab.grpclb.call.CallFailure} otherwise. */
    Future<Void> ended();

    /** Cancels it (RST_STREAM CANCEL); {@link #ended} fails CANCELLED if it had not ended. */
    void cancel();
  }

  /** Told, on the connection's event loop, of what happens to a transport after it is made. */
  interface Events {
    /** An error its calls will report; the transport may still work. */
    void error(String reason);

    /** It takes no new call: closed, or sent away with GOAWAY. */
    void gone(String why);

    /** The server sent GOAWAY ENHANCE_YOUR_CALM {@code too_many_pings} (gRFC A8): this client pings too often. */
    void tooManyPings();
  }
}

package lab.grpclb.transport;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.grpc.client.GrpcClientRequest;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.logging.Logger;

/**
 * Whether a call's HTTP/2 stream was above the last-stream-id of a GOAWAY the server sent: by RFC 9113 6.8 the
 * server never processed it, so the call may be sent again on a new connection whatever its method (gRFC A6's
 * transparent retry; grpc-java's {@code NettyClientHandler.goingAway} reports such streams REFUSED).
 *
 * <p>Vert.x 5.0.7 does not tell these streams apart: Netty closes every stream above the last-stream-id when the
 * GOAWAY is read ({@code DefaultHttp2Connection.goAwayReceived}, after it records the id), and Vert.x fails each
 * with the same {@code HttpClosedException} as a stream cut after the server took it
 * ({@code Http2ConnectionBase.onStreamClosed}), naming the connection's first GOAWAY, not the one that closed it.
 * So the stream's id is compared here with the lowest last-stream-id the connection has received. That reaches
 * into vertx-grpc's request for its HTTP request (the id) and into Vert.x's connection for Netty's: isolated here,
 * logged once if they change (calls then fail as before, never retried wrongly), and guarded by a test.
 */
public final class GoAwayStreams {
  private static final Logger LOG = Logger.getLogger(GoAwayStreams.class.getName());
  private static final VarHandle HTTP_REQUEST = httpRequest();

  private GoAwayStreams() {
  }

  /**
   * True only when {@code request}'s stream has an id and the server's GOAWAY named a lower last-stream-id. Call on
   * the connection's event loop, once the call failed.
   */
  public static boolean aboveLastStreamId(GrpcClientRequest<?, ?> request) {
    int streamId = streamId(request);
    int lastStreamId = lastStreamIdReceived(request);
    return streamId > 0 && lastStreamId >= 0 && streamId > lastStreamId;
  }

  /** The stream's id, or -1 while it has none (not yet created) or when Vert.x hides it. */
  static int streamId(GrpcClientRequest<?, ?> request) {
    HttpClientRequest http = httpRequest(request);
    if (http == null) {
      return -1;
    }
    try {
      return http.streamId();
    } catch (RuntimeException e) { // no stream yet (Vert.x 5.0.7 then throws)
      return -1;
    }
  }

  /** The HTTP request under a vertx-grpc call (also {@link StreamQueues}'s way in), or null when hidden. */
  static HttpClientRequest httpRequest(GrpcClientRequest<?, ?> request) {
    if (HTTP_REQUEST == null) {
      return null;
    }
    try {
      return (HttpClientRequest) HTTP_REQUEST.get(request);
    } catch (RuntimeException e) { // another request class
      return null;
    }
  }

  /** The lowest last-stream-id of the GOAWAYs the request's connection received; -1 before any. */
  static int lastStreamIdReceived(GrpcClientRequest<?, ?> request) {
    ChannelHandlerContext context = FlushBatching.channel(request.connection());
    if (context == null || !(context.handler() instanceof Http2ConnectionHandler handler)) {
      return -1;
    }
    return handler.connection().local().lastStreamKnownByPeer(); // Netty keeps the last one; ids never go up
  }

  private static VarHandle httpRequest() {
    try {
      Class<?> impl = Class.forName("io.vertx.grpc.client.impl.GrpcClientRequestImpl");
      return MethodHandles.privateLookupIn(impl, MethodHandles.lookup())
          .findVarHandle(impl, "httpRequest", HttpClientRequest.class);
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.warning(() -> "cannot read a gRPC call's HTTP/2 stream id (vertx-grpc internals changed): calls the server "
          + "never processed after its GOAWAY will fail instead of being sent again: " + e);
      return null;
    }
  }
}

package lab.grpclb.call;

import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.vertx.core.VertxException;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.StreamResetException;
import io.vertx.grpc.client.InvalidStatusException;
import io.vertx.grpc.common.GrpcError;
import io.vertx.grpc.common.GrpcErrorException;
import io.vertx.grpc.common.GrpcStatus;
import java.net.ConnectException;

/** A failed call as the report groups it: a gRPC status and a short reason. */
public final class CallFailure extends VertxException {
  private static final String CONNECT_FAILED = "connect failed: ";
  private final GrpcStatus status;
  private final String reason;
  private final boolean unprocessed;
  private final String endpoint;

  public CallFailure(GrpcStatus status, String reason) {
    this(status, reason, false, null);
  }

  private CallFailure(GrpcStatus status, String reason, boolean unprocessed, String endpoint) {
    super(status.name() + ": " + reason, true);
    this.status = status;
    this.reason = reason;
    this.unprocessed = unprocessed;
    this.endpoint = endpoint;
  }

  /** The same failure, naming the server address the failed attempt went to (the report's per-pod errors). */
  public CallFailure at(String endpoint) {
    return new CallFailure(status, reason, unprocessed, endpoint);
  }

  /** The server address the failed attempt went to, or null when no server was chosen. */
  public String endpoint() {
    return endpoint;
  }

  /** A call that never reached any server's application: not sent at all, or refused before processing. */
  public static CallFailure unprocessed(String reason) {
    return new CallFailure(GrpcStatus.UNAVAILABLE, reason, true, null);
  }

  public GrpcStatus status() {
    return status;
  }

  public String reason() {
    return reason;
  }

  /**
   * Whether the server's application certainly never saw the call (gRFC A6): it was never written, or the
   * server refused the stream. Such a call may be sent again transparently, whatever the method.
   */
  public boolean unprocessed() {
    return unprocessed;
  }

  /**
   * Whether the call failed in transport after it may have reached a pod (connection closed or reset while
   * in flight, or the server answered UNAVAILABLE): only a retry policy for an idempotent method re-sends it.
   */
  public boolean transportFailure() {
    return status == GrpcStatus.UNAVAILABLE;
  }

  /**
   * A connect attempt that failed before any call was written on it: refused, reset, or closed by the server
   * before the HTTP/2 handshake (a pod shutting down still accepts for a moment). Says "connect failed" in
   * each case, so /status tells a failed attempt from a dropped connection.
   */
  public static CallFailure connectFailed(Throwable error) {
    return error instanceof ConnectException ? of(error) : unprocessed(CONNECT_FAILED + of(error).reason());
  }

  /** A connect attempt that got no HTTP/2 SETTINGS in time: a hung pod, or a port that is not gRPC. */
  public static CallFailure handshakeTimeout(long timeoutMs) {
    return unprocessed("no HTTP/2 handshake within " + timeoutMs + " ms (--connect-timeout-ms)");
  }

  /** Maps whatever a Vert.x call failed with onto the status grpc-java would report for it. */
  public static CallFailure of(Throwable error) {
    if (error instanceof CallFailure failure) {
      return failure;
    }
    if (error instanceof InvalidStatusException e) {
      return new CallFailure(e.actualStatus(), "server answered " + e.actualStatus().name());
    }
    if (error instanceof GrpcErrorException e && e.error() == GrpcError.UNAVAILABLE) {
      // Vert.x maps only HTTP/2 REFUSED_STREAM to UNAVAILABLE: the server did not process the stream (RFC 9113 8.7)
      return unprocessed("stream refused by the server before processing (HTTP/2 REFUSED_STREAM)");
    }
    if (error instanceof GrpcErrorException e) {
      return new CallFailure(e.status(), "stream error " + e.error());
    }
    if (error instanceof Http2Exception e && neverCreated(e)) {
      return unprocessed("stream not created: " + e.getMessage());
    }
    if (error instanceof Http2Exception e) {
      return new CallFailure(GrpcStatus.UNAVAILABLE, "HTTP/2 " + e.error() + ": " + e.getMessage());
    }
    if (error instanceof StreamResetException e) {
      return new CallFailure(GrpcStatus.UNAVAILABLE, "stream reset by peer (HTTP/2 code " + e.getCode() + ")");
    }
    if (error instanceof HttpClosedException) {
      return new CallFailure(GrpcStatus.UNAVAILABLE, "connection closed before the reply");
    }
    if (error instanceof ConnectException e) {
      return unprocessed(CONNECT_FAILED + e.getMessage());
    }
    String message = error.getMessage() == null ? error.getClass().getSimpleName() : error.getMessage();
    if (connectionLevel(error, message)) {
      return new CallFailure(GrpcStatus.UNAVAILABLE, message);
    }
    return new CallFailure(GrpcStatus.UNKNOWN, message);
  }

  /**
   * Netty refused to create the stream, so nothing was written: REFUSED_STREAM is what it raises for a stream
   * above a GOAWAY's last-stream-id or over the peer's stream limit, and a closed connection refuses with
   * "Attempted to create stream id ... after connection was closed". Any other HTTP/2 error may hit a stream
   * that was already sent (Vert.x hands a connection error to every active stream).
   */
  private static boolean neverCreated(Http2Exception e) {
    String message = String.valueOf(e.getMessage());
    return e.error() == Http2Error.REFUSED_STREAM || message.startsWith("Attempted to create stream id");
  }

  /** Transport failures that Vert.x reports as plain exceptions ("Connection was closed", socket errors). */
  private static boolean connectionLevel(Throwable error, String message) {
    String lower = message.toLowerCase(java.util.Locale.ROOT);
    return error instanceof java.io.IOException
        || lower.contains("connection was closed")
        || lower.contains("failed to open a socket")
        || lower.contains("connection reset");
  }
}

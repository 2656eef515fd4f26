package lab.grpclb.client;

import io.vertx.core.VertxException;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.StreamResetException;
import io.vertx.grpc.client.InvalidStatusException;
import io.vertx.grpc.common.GrpcErrorException;
import io.vertx.grpc.common.GrpcStatus;
import java.net.ConnectException;

/** A failed call as the report groups it: a gRPC status and a short reason. */
public final class CallFailure extends VertxException {
  private final GrpcStatus status;
  private final String reason;

  public CallFailure(GrpcStatus status, String reason) {
    super(status.name() + ": " + reason, true);
    this.status = status;
    this.reason = reason;
  }

  public GrpcStatus status() {
    return status;
  }

  public String reason() {
    return reason;
  }

  /**
   * Whether the call failed in transport (connection refused, closed or reset, or a draining pod refused it):
   * a call worth sending to another pod. It may have reached the pod; retrying is safe for SayHello only
   * because SayHello is idempotent.
   */
  public boolean transportFailure() {
    return status == GrpcStatus.UNAVAILABLE;
  }

  /** Maps whatever a Vert.x call failed with onto the status grpc-java would report for it. */
  public static CallFailure of(Throwable error) {
    if (error instanceof CallFailure failure) {
      return failure;
    }
    if (error instanceof InvalidStatusException e) {
      return new CallFailure(e.actualStatus(), "server answered " + e.actualStatus().name());
    }
    if (error instanceof GrpcErrorException e) {
      return new CallFailure(e.status(), "stream error " + e.error());
    }
    if (error instanceof StreamResetException e) {
      return new CallFailure(GrpcStatus.UNAVAILABLE, "stream reset by peer (HTTP/2 code " + e.getCode() + ")");
    }
    if (error instanceof HttpClosedException) {
      return new CallFailure(GrpcStatus.UNAVAILABLE, "connection closed before the reply");
    }
    if (error instanceof ConnectException e) {
      return new CallFailure(GrpcStatus.UNAVAILABLE, "connect failed: " + e.getMessage());
    }
    String message = error.getMessage() == null ? error.getClass().getSimpleName() : error.getMessage();
    if (connectionLevel(error, message)) {
      return new CallFailure(GrpcStatus.UNAVAILABLE, message);
    }
    return new CallFailure(GrpcStatus.UNKNOWN, message);
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

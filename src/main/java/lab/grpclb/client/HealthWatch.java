package lab.grpclb.client;

import io.vertx.grpc.common.GrpcMessageDecoder;
import io.vertx.grpc.common.GrpcMessageEncoder;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.common.ServiceMethod;
import io.vertx.grpc.common.ServiceName;
import io.vertx.grpc.health.v1.HealthCheckRequest;
import io.vertx.grpc.health.v1.HealthCheckResponse;
import java.util.logging.Logger;
import lab.grpclb.balance.ConnectionBackoff;
import lab.grpclb.balance.ConnectivityState;
import lab.grpclb.balance.Scheduler;
import lab.grpclb.call.CallFailure;
import lab.grpclb.config.HealthCheck;

/**
 * gRFC A17 for one endpoint: while its connection is READY, one {@code grpc.health.v1.Health/Watch} stream on it
 * for the configured service, and what the answers make of the endpoint ({@link HealthStatus}). Until the first
 * answer it is not picked; SERVING picks it; any other answer takes it out of the picker and leaves the connection
 * open (TRANSIENT_FAILURE, as grpc-java's HealthCheckingLoadBalancer reports it). UNIMPLEMENTED means the pod has no
 * health service: healthy, logged once per endpoint. A Watch the pod ends otherwise leaves the endpoint out and is
 * opened again after gRPC's backoff ({@link KeptStream}).
 * On the connection's event loop; {@code changed} hears every change of status until {@link #stop}.
 */
final class HealthWatch {
  private static final Logger LOG = Logger.getLogger(HealthWatch.class.getName());
  static final ServiceMethod<HealthCheckResponse, HealthCheckRequest> WATCH = ServiceMethod.client(
      ServiceName.create("grpc.health.v1.Health"), "Watch", GrpcMessageEncoder.encoder(),
      GrpcMessageDecoder.decoder(HealthCheckResponse.newBuilder()));

  private final HealthCheck check;
  private final String endpoint;
  private final KeptStream kept;
  private final Runnable changed;
  /** Read by the status page through its connection's snapshot. */
  private volatile HealthStatus status;
  private volatile String error;
  private Transport transport;
  private boolean unimplementedLogged;

  HealthWatch(Scheduler scheduler, HealthCheck check, String endpoint, ConnectionBackoff backoff, Runnable changed) {
    this.check = check;
    this.endpoint = endpoint;
    this.kept = new KeptStream(scheduler, backoff);
    this.changed = changed;
    this.status = check.on() ? HealthStatus.PENDING : HealthStatus.OFF;
  }

  /** The connection is READY on {@code ready}: watch it (with checking off, it is healthy at once). */
  void start(Transport ready) {
    stop();
    transport = ready;
    kept.resetBackoff();
    status = check.on() ? HealthStatus.PENDING : HealthStatus.OFF;
    error = null;
    if (check.on()) {
      open();
    }
  }

  /** The connection is no longer READY: its Watch is cancelled, its retry dropped, and nothing more is reported. */
  void stop() {
    kept.stop();
    transport = null;
  }

  HealthStatus status() {
    return status;
  }

  /** Why the endpoint is not picked, for the balancer; null while healthy. */
  String error() {
    return error;
  }

  /** What the balancer is told of a connection in {@code connection} state: READY is gated by health. */
  ConnectivityState seenAs(ConnectivityState connection) {
    return connection == ConnectivityState.READY ? status.seenAs() : connection;
  }

  private void open() {
    HealthCheckRequest request = HealthCheckRequest.newBuilder().setService(check.service()).build();
    kept.open(transport, WATCH, request, this::answered, this::ended);
  }

  private void answered(HealthCheckResponse reply) {
    HealthStatus next = switch (reply.getStatus()) {
      case SERVING -> HealthStatus.SERVING;
      case NOT_SERVING -> HealthStatus.NOT_SERVING;
      case SERVICE_UNKNOWN -> HealthStatus.SERVICE_UNKNOWN;
      default -> HealthStatus.UNKNOWN;
    };
    become(next, next == HealthStatus.SERVING ? null : "health " + next + " (grpc.health.v1 Watch '" + check.service()
        + "')");
  }

  private void ended(CallFailure failure) {
    if (failure != null && failure.status() == GrpcStatus.UNIMPLEMENTED) {
      if (!unimplementedLogged) {
        unimplementedLogged = true;
        LOG.info(() -> "endpoint " + endpoint + " has no grpc.health.v1 service (Watch answered UNIMPLEMENTED):"
            + " counted healthy without health checking (gRFC A17)");
      }
      become(HealthStatus.UNIMPLEMENTED, null);
      return;
    }
    long delayMs = kept.reopenAfterBackoff(this::open);
    String why = failure == null ? "the server ended it with OK" : failure.status() + ": " + failure.reason();
    become(HealthStatus.WATCH_ENDED, "health Watch '" + check.service() + "' ended (" + why + "); again "
        + (delayMs == 0 ? "at once" : "in " + delayMs + " ms"));
  }

  private void become(HealthStatus next, String why) {
    HealthStatus before = status;
    error = why;
    if (next == before) {
      return;
    }
    status = next;
    changed.run(); // the picker first: a console write may block
    if (next.seenAs() == ConnectivityState.TRANSIENT_FAILURE && before.seenAs() != ConnectivityState.TRANSIENT_FAILURE) {
      LOG.info(() -> "endpoint " + endpoint + " out of the picker, its connection kept: " + why);
    } else if (next == HealthStatus.SERVING && before.seenAs() == ConnectivityState.TRANSIENT_FAILURE) {
      LOG.info(() -> "endpoint " + endpoint + " health SERVING again: back in the picker");
    }
  }
}

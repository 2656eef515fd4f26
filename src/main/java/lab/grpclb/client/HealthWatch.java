package lab.grpclb.client;

import io.vertx.core.AsyncResult;
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
 * opened again after gRPC's backoff, counted from when it was opened and reset by every answer, so a long-lived
 * Watch is reopened at once and a pod that ends each one at once is asked about once a second, not in a hot loop.
 * On the connection's event loop; {@code changed} hears every change of status until {@link #stop}.
 */
final class HealthWatch {
  private static final Logger LOG = Logger.getLogger(HealthWatch.class.getName());
  static final ServiceMethod<HealthCheckResponse, HealthCheckRequest> WATCH = ServiceMethod.client(
      ServiceName.create("grpc.health.v1.Health"), "Watch", GrpcMessageEncoder.encoder(),
      GrpcMessageDecoder.decoder(HealthCheckResponse.newBuilder()));

  private final Scheduler scheduler;
  private final HealthCheck check;
  private final String endpoint;
  private final ConnectionBackoff backoff;
  private final Runnable changed;
  /** Read by the status page through its connection's snapshot. */
  private volatile HealthStatus status;
  private volatile String error;
  private Transport transport;
  private Transport.ServerStream stream;
  private long openedNanos;
  private Scheduler.Timer retry = Scheduler.Timer.NONE;
  /** Bumped by every Watch and by {@link #stop}, so that a superseded stream's news is ignored. */
  private int generation;
  private boolean unimplementedLogged;

  HealthWatch(Scheduler scheduler, HealthCheck check, String endpoint, ConnectionBackoff backoff, Runnable changed) {
    this.scheduler = scheduler;
    this.check = check;
    this.endpoint = endpoint;
    this.backoff = backoff;
    this.changed = changed;
    this.status = check.on() ? HealthStatus.PENDING : HealthStatus.OFF;
  }

  /** The connection is READY on {@code ready}: watch it (with checking off, it is healthy at once). */
  void start(Transport ready) {
    stop();
    transport = ready;
    backoff.reset();
    status = check.on() ? HealthStatus.PENDING : HealthStatus.OFF;
    error = null;
    if (check.on()) {
      open();
    }
  }

  /** The connection is no longer READY: its Watch is cancelled, its retry dropped, and nothing more is reported. */
  void stop() {
    generation++;
    retry.cancel();
    retry = Scheduler.Timer.NONE;
    transport = null;
    if (stream != null) {
      stream.cancel();
      stream = null;
    }
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
    int current = ++generation;
    openedNanos = scheduler.nanoTime();
    HealthCheckRequest request = HealthCheckRequest.newBuilder().setService(check.service()).build();
    Transport.ServerStream opened = transport.serverStream(WATCH, request, reply -> answered(current, reply));
    if (current == generation) { // not stopped by an answer already
      stream = opened;
    }
    opened.ended().onComplete(ar -> ended(current, ar));
  }

  private void answered(int which, HealthCheckResponse reply) {
    if (which != generation) {
      return;
    }
    backoff.reset();
    HealthStatus next = switch (reply.getStatus()) {
      case SERVING -> HealthStatus.SERVING;
      case NOT_SERVING -> HealthStatus.NOT_SERVING;
      case SERVICE_UNKNOWN -> HealthStatus.SERVICE_UNKNOWN;
      default -> HealthStatus.UNKNOWN;
    };
    become(next, next == HealthStatus.SERVING ? null : "health " + next + " (grpc.health.v1 Watch '" + check.service()
        + "')");
  }

  private void ended(int which, AsyncResult<Void> outcome) {
    if (which != generation) {
      return;
    }
    stream = null;
    CallFailure failure = outcome.succeeded() ? null : CallFailure.of(outcome.cause());
    if (failure != null && failure.status() == GrpcStatus.UNIMPLEMENTED) {
      if (!unimplementedLogged) {
        unimplementedLogged = true;
        LOG.info(() -> "endpoint " + endpoint + " has no grpc.health.v1 service (Watch answered UNIMPLEMENTED):"
            + " counted healthy without health checking (gRFC A17)");
      }
      become(HealthStatus.UNIMPLEMENTED, null);
      return;
    }
    long elapsedMs = (scheduler.nanoTime() - openedNanos) / 1_000_000;
    long delayMs = Math.max(0, backoff.nextDelayMs() - elapsedMs);
    String why = failure == null ? "the server ended it with OK" : failure.status() + ": " + failure.reason();
    become(HealthStatus.WATCH_ENDED, "health Watch '" + check.service() + "' ended (" + why + "); again "
        + (delayMs == 0 ? "at once" : "in " + delayMs + " ms"));
    retry = scheduler.schedule(delayMs, () -> {
      retry = Scheduler.Timer.NONE;
      if (which == generation) {
        open();
      }
    });
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

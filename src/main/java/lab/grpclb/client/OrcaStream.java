package lab.grpclb.client;

import com.google.protobuf.Duration;
import io.vertx.core.AsyncResult;
import io.vertx.grpc.common.GrpcStatus;
import java.util.function.Consumer;
import java.util.logging.Logger;
import lab.grpclb.balance.ConnectionBackoff;
import lab.grpclb.balance.LoadReport;
import lab.grpclb.balance.Scheduler;
import lab.grpclb.call.CallFailure;
import orca.data.v3.OrcaLoadReport;
import orca.service.v3.OpenRcaServiceGrpcClient;
import orca.service.v3.OrcaLoadReportRequest;

/**
 * gRFC A51 out of band for one endpoint: while its connection is READY and a period is asked for, one
 * {@code OpenRcaService/StreamCoreMetrics} stream on it, each report handed on. A pod without the service
 * (UNIMPLEMENTED) is asked no more on that connection, said once; a stream the pod ends otherwise is opened again
 * after gRPC's backoff, counted from when it was opened. On the connection's event loop.
 */
final class OrcaStream {
  private static final Logger LOG = Logger.getLogger(OrcaStream.class.getName());

  private final Scheduler scheduler;
  private final String endpoint;
  private final ConnectionBackoff backoff;
  private final Consumer<LoadReport> reports;
  private Transport transport;
  private long periodMs;
  private Transport.ServerStream stream;
  private long openedNanos;
  private Scheduler.Timer retry = Scheduler.Timer.NONE;
  /** Bumped by every stream and every stop, so that a superseded stream's news is ignored. */
  private int generation;
  private boolean unimplementedLogged;

  OrcaStream(Scheduler scheduler, String endpoint, ConnectionBackoff backoff, Consumer<LoadReport> reports) {
    this.scheduler = scheduler;
    this.endpoint = endpoint;
    this.backoff = backoff;
    this.reports = reports;
  }

  /** The connection is READY on {@code ready}: stream reports on it if a period is asked for. */
  void connected(Transport ready) {
    stop();
    transport = ready;
    backoff.reset();
    openIfAsked();
  }

  /** The connection is no longer READY: its stream is cancelled and nothing more is reported. */
  void disconnected() {
    stop();
    transport = null;
  }

  /** Reports every {@code ms} from now on (0: none); a changed period needs a new stream, as A51 says. */
  void period(long ms) {
    if (ms == periodMs) {
      return;
    }
    periodMs = ms;
    stop();
    openIfAsked();
  }

  /** Whether out-of-band reports are asked for. */
  boolean asked() {
    return periodMs > 0;
  }

  private void stop() {
    generation++;
    retry.cancel();
    retry = Scheduler.Timer.NONE;
    if (stream != null) {
      stream.cancel();
      stream = null;
    }
  }

  private void openIfAsked() {
    if (transport == null || periodMs <= 0) {
      return;
    }
    int current = ++generation;
    openedNanos = scheduler.nanoTime();
    OrcaLoadReportRequest request = OrcaLoadReportRequest.newBuilder()
        .setReportInterval(Duration.newBuilder().setSeconds(periodMs / 1000).setNanos((int) (periodMs % 1000) * 1_000_000))
        .build();
    Transport.ServerStream opened = transport.serverStream(OpenRcaServiceGrpcClient.StreamCoreMetrics, request,
        (OrcaLoadReport report) -> {
          if (current == generation) {
            backoff.reset();
            reports.accept(OrcaLoad.of(report));
          }
        });
    stream = opened;
    opened.ended().onComplete(ar -> ended(current, ar));
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
        LOG.info(() -> "endpoint " + endpoint + " has no OpenRcaService (StreamCoreMetrics answered UNIMPLEMENTED):"
            + " no out-of-band load reports from it");
      }
      return;
    }
    long elapsedMs = (scheduler.nanoTime() - openedNanos) / 1_000_000;
    retry = scheduler.schedule(Math.max(0, backoff.nextDelayMs() - elapsedMs), () -> {
      retry = Scheduler.Timer.NONE;
      if (which == generation) {
        openIfAsked();
      }
    });
  }
}

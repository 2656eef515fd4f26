package lab.grpclb.client;

import com.google.protobuf.Duration;
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
 * after gRPC's backoff ({@link KeptStream}). On the connection's event loop.
 */
final class OrcaStream {
  private static final Logger LOG = Logger.getLogger(OrcaStream.class.getName());

  private final String endpoint;
  private final KeptStream kept;
  private final Consumer<LoadReport> reports;
  private Transport transport;
  private long periodMs;
  private boolean unimplementedLogged;

  OrcaStream(Scheduler scheduler, String endpoint, ConnectionBackoff backoff, Consumer<LoadReport> reports) {
    this.endpoint = endpoint;
    this.kept = new KeptStream(scheduler, backoff);
    this.reports = reports;
  }

  /** The connection is READY on {@code ready}: stream reports on it if a period is asked for. */
  void connected(Transport ready) {
    kept.stop();
    transport = ready;
    kept.resetBackoff();
    openIfAsked();
  }

  /** The connection is no longer READY: its stream is cancelled and nothing more is reported. */
  void disconnected() {
    kept.stop();
    transport = null;
  }

  /** Reports every {@code ms} from now on (0: none); a changed period needs a new stream, as A51 says. */
  void period(long ms) {
    if (ms == periodMs) {
      return;
    }
    periodMs = ms;
    kept.stop();
    openIfAsked();
  }

  /** Whether out-of-band reports are asked for. */
  boolean asked() {
    return periodMs > 0;
  }

  private void openIfAsked() {
    if (transport == null || periodMs <= 0) {
      return;
    }
    OrcaLoadReportRequest request = OrcaLoadReportRequest.newBuilder()
        .setReportInterval(Duration.newBuilder().setSeconds(periodMs / 1000).setNanos((int) (periodMs % 1000) * 1_000_000))
        .build();
    kept.open(transport, OpenRcaServiceGrpcClient.StreamCoreMetrics, request,
        (OrcaLoadReport report) -> reports.accept(OrcaLoad.of(report)), this::ended);
  }

  private void ended(CallFailure failure) {
    if (failure != null && failure.status() == GrpcStatus.UNIMPLEMENTED) {
      if (!unimplementedLogged) {
        unimplementedLogged = true;
        LOG.info(() -> "endpoint " + endpoint + " has no OpenRcaService (StreamCoreMetrics answered UNIMPLEMENTED):"
            + " no out-of-band load reports from it");
      }
      return;
    }
    kept.reopenAfterBackoff(this::openIfAsked);
  }
}

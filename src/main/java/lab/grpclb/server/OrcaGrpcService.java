package lab.grpclb.server;

import com.google.protobuf.Descriptors;
import io.vertx.core.Vertx;
import io.vertx.grpc.common.ServiceName;
import io.vertx.grpc.server.GrpcServer;
import io.vertx.grpc.server.GrpcServerRequest;
import io.vertx.grpc.server.Service;
import java.util.function.Supplier;
import orca.data.v3.OrcaLoadReport;
import orca.service.v3.Orca;
import orca.service.v3.OpenRcaServiceGrpcService;
import orca.service.v3.OrcaLoadReportRequest;

/**
 * ORCA out of band (gRFC A51), {@code xds.service.orca.v3.OpenRcaService/StreamCoreMetrics}: a report at once, then
 * one every interval the client asked for, no more often than {@link #MIN_INTERVAL_MS} (A51 lets a server report
 * less often than asked; grpc-java's floor is 30 s, too slow for a lab run of a minute), until the client ends it.
 * A timer per stream on the server's event loop.
 */
final class OrcaGrpcService implements Service {
  static final long MIN_INTERVAL_MS = 250;

  private final Supplier<OrcaLoadReport> load;

  OrcaGrpcService(Supplier<OrcaLoadReport> load) {
    this.load = load;
  }

  @Override
  public ServiceName name() {
    return OpenRcaServiceGrpcService.SERVICE_NAME;
  }

  @Override
  public Descriptors.ServiceDescriptor descriptor() {
    return Orca.getDescriptor().findServiceByName("OpenRcaService");
  }

  @Override
  public void bind(GrpcServer server) {
    server.callHandler(OpenRcaServiceGrpcService.StreamCoreMetrics, this::stream);
  }

  private void stream(GrpcServerRequest<OrcaLoadReportRequest, OrcaLoadReport> call) {
    call.handler(request -> {
      Vertx vertx = Vertx.currentContext().owner();
      call.response().write(load.get());
      long timer = vertx.setPeriodic(intervalMs(request), id -> call.response().write(load.get()));
      Runnable cancel = () -> vertx.cancelTimer(timer);
      call.errorHandler(error -> cancel.run());     // the client cancelled it
      call.exceptionHandler(error -> cancel.run()); // its connection went
      call.response().exceptionHandler(error -> cancel.run());
    });
  }

  private static long intervalMs(OrcaLoadReportRequest request) {
    long asked = request.getReportInterval().getSeconds() * 1000 + request.getReportInterval().getNanos() / 1_000_000;
    return Math.max(MIN_INTERVAL_MS, asked);
  }
}

package lab.grpclb.server;

import com.google.protobuf.Descriptors;
import io.vertx.core.Vertx;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.common.ServiceName;
import io.vertx.grpc.health.handler.GrpcHealthCheckV1Handler;
import io.vertx.grpc.health.handler.GrpcHealthWatchV1Handler;
import io.vertx.grpc.health.v1.HealthCheckRequest;
import io.vertx.grpc.health.v1.HealthCheckResponse;
import io.vertx.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.vertx.grpc.health.v1.HealthProto;
import io.vertx.grpc.server.GrpcServer;
import io.vertx.grpc.server.GrpcServerRequest;
import io.vertx.grpc.server.Service;

/**
 * {@code grpc.health.v1.Health} over {@link PodHealth}: Check answers the status now (NOT_FOUND for a service the
 * pod lacks); Watch sends the status at once and every change the moment it happens, and stays open until the client
 * ends it. Vert.x's own HealthService polls every check on a timer per Watch stream, so a change reached clients up to
 * a period late; here a flip is pushed.
 */
final class HealthGrpcService implements Service {
  static final ServiceName NAME = ServiceName.create("grpc.health.v1.Health");

  private final PodHealth health;

  HealthGrpcService(PodHealth health) {
    this.health = health;
  }

  @Override
  public ServiceName name() {
    return NAME;
  }

  @Override
  public Descriptors.ServiceDescriptor descriptor() {
    return HealthProto.getDescriptor().findServiceByName("Health");
  }

  @Override
  public void bind(GrpcServer server) {
    server.callHandler(GrpcHealthCheckV1Handler.SERVICE_METHOD, this::check);
    server.callHandler(GrpcHealthWatchV1Handler.SERVICE_METHOD, this::watch);
  }

  private void check(GrpcServerRequest<HealthCheckRequest, HealthCheckResponse> call) {
    call.handler(request -> {
      ServingStatus status = health.status(request.getService());
      if (status == null) {
        call.response().status(GrpcStatus.NOT_FOUND).statusMessage("unknown service '" + request.getService() + "'")
            .end();
      } else {
        call.response().end(reply(status));
      }
    });
  }

  private void watch(GrpcServerRequest<HealthCheckRequest, HealthCheckResponse> call) {
    call.handler(request -> {
      PodHealth.Watcher watcher = health.watch(request.getService(), Vertx.currentContext(),
          status -> call.response().write(reply(status)));
      call.errorHandler(error -> watcher.cancel());     // the client cancelled it
      call.exceptionHandler(error -> watcher.cancel()); // its connection went
      call.response().exceptionHandler(error -> watcher.cancel());
    });
  }

  private static HealthCheckResponse reply(ServingStatus status) {
    return HealthCheckResponse.newBuilder().setStatus(status).build();
  }
}

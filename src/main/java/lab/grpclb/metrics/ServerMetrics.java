package lab.grpclb.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import lab.grpclb.config.ListenException;
import lab.grpclb.server.GreeterServer;
import lab.grpclb.server.GreeterService;
import lab.grpclb.server.ServerLoad;

/**
 * A greeter pod's {@code GET /metrics} on its own HTTP/1.1 port ({@code --metrics-port}): calls served, in flight,
 * ended before their reply, failed on purpose, connections aged out, whether it drains, and its capacity model's
 * load (in service, queue length, queue wait p99, utilization, refused). Every value is read from the server's own
 * counters at scrape time, so the call path pays nothing for it.
 */
public final class ServerMetrics {
  private ServerMetrics() {
  }

  /** Listens on {@code host:port}; a port taken fails naming {@code --metrics-port}. */
  public static Future<HttpServer> serve(Vertx vertx, GreeterServer server, String host, int port) {
    PrometheusMeterRegistry registry = Metrics.newRegistry();
    bind(registry, server);
    Router router = Router.router(vertx);
    Metrics.mount(router, registry);
    return vertx.createHttpServer().requestHandler(router).listen(port, host)
        .recover(err -> ListenException.naming("--metrics-port", host, port, err));
  }

  static void bind(MeterRegistry registry, GreeterServer server) {
    GreeterService greeter = server.greeter();
    String pod = greeter.podIp();
    FunctionCounter.builder("grpclb.server.calls.served", greeter, GreeterService::callsServed).tag("pod_ip", pod)
        .description("Calls answered with a reply").register(registry);
    FunctionCounter.builder("grpclb.server.calls.ended.early", greeter, GreeterService::callsEndedEarly)
        .tag("pod_ip", pod).description("Calls that ended before their reply: cancelled, past their deadline, "
            + "or the client gone").register(registry);
    FunctionCounter.builder("grpclb.server.calls.failed.on.purpose", greeter, GreeterService::callsFailedOnPurpose)
        .tag("pod_ip", pod).description("Calls failed by --error-rate").register(registry);
    Gauge.builder("grpclb.server.calls.in.flight", greeter::callsInFlight).tag("pod_ip", pod)
        .description("Calls received and not ended yet").register(registry);
    FunctionCounter.builder("grpclb.server.connections.aged.out", server, GreeterServer::connectionsAgedOut)
        .tag("pod_ip", pod).description("Connections sent away at MAX_CONNECTION_AGE").register(registry);
    FunctionCounter.builder("grpclb.server.connections.too.many.pings", server,
            GreeterServer::connectionsSentAwayForPings)
        .tag("pod_ip", pod).description("Connections sent away with GOAWAY too_many_pings (gRFC A8)")
        .register(registry);
    bindLoad(registry, server, pod);
    Gauge.builder("grpclb.server.draining", () -> server.draining() ? 1 : 0).tag("pod_ip", pod)
        .description("1 once the pod drains (SIGTERM): health NOT_SERVING, new calls refused").register(registry);
  }

  /** The capacity model's figures ({@link ServerLoad}); with unlimited capacity, capacity and utilization read 0. */
  private static void bindLoad(MeterRegistry registry, GreeterServer server, String pod) {
    Gauge.builder("grpclb.server.calls.in.service", () -> server.load().inService()).tag("pod_ip", pod)
        .description("Calls being served now (--capacity at most; all in flight when unlimited)").register(registry);
    Gauge.builder("grpclb.server.capacity", () -> server.load().capacity()).tag("pod_ip", pod)
        .description("Calls the pod serves at once (--capacity); 0: unlimited").register(registry);
    Gauge.builder("grpclb.server.queue.length", () -> server.load().queueLength()).tag("pod_ip", pod)
        .description("Calls waiting for a slot now").register(registry);
    Gauge.builder("grpclb.server.queue.wait.p99", () -> server.load().queueWaitP99Ms() / 1_000).tag("pod_ip", pod)
        .baseUnit("seconds").description("99th percentile of the time calls waited before their service, over the"
            + " last " + ServerLoad.WINDOW_SECONDS + " s").register(registry);
    Gauge.builder("grpclb.server.utilization", () -> server.load().utilization()).tag("pod_ip", pod)
        .description("Calls in service / capacity now, 0 to 1; 0 when unlimited").register(registry);
    FunctionCounter.builder("grpclb.server.calls.refused", server, s -> s.load().refused()).tag("pod_ip", pod)
        .description("Calls refused with RESOURCE_EXHAUSTED: the queue was full (--queue-limit)").register(registry);
  }
}

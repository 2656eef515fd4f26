package lab.grpclb.metrics;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.ext.web.Router;
import io.vertx.micrometer.PrometheusScrapingHandler;
import lab.grpclb.http.StrictQuery;

/**
 * One Prometheus registry per client or server (never Micrometer's global one: a test JVM runs many), served
 * as {@code GET /metrics} by vertx-micrometer-metrics' scraping handler. Vert.x's own metrics SPI stays off: it
 * would time every HTTP/2 stream on the call path; every meter here is ours.
 */
public final class Metrics {
  public static final String PATH = "/metrics";

  private Metrics() {
  }

  public static PrometheusMeterRegistry newRegistry() {
    return new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  }

  public static void mount(Router router, PrometheusMeterRegistry registry) {
    router.get(PATH).handler(StrictQuery.allow()).handler(PrometheusScrapingHandler.create(registry));
  }
}

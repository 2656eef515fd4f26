package lab.grpclb.metrics;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** One GET /metrics over HTTP, read as Prometheus samples: name, labels, value. */
record Scrape(String text) {
  private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})? (\\S+)");
  private static final Pattern LABEL = Pattern.compile("(\\w+)=\"([^\"]*)\"");

  /**
   * The body is asked for in the send step, on the event loop: asked for from this thread, it can come after the
   * response ended and never arrive (see ResponseBodyRaceTest).
   */
  static Scrape of(HttpClient http, String host, int port) {
    try {
      return new Scrape(http.request(HttpMethod.GET, port, host, Metrics.PATH)
          .compose(request -> request.send().compose(response -> response.statusCode() == 200 ? response.body()
              : Future.failedFuture("GET /metrics answered " + response.statusCode())))
          .await(3, TimeUnit.SECONDS).toString());
    } catch (TimeoutException e) {
      throw new AssertionError("GET /metrics on " + host + ":" + port + " got no answer in 3 s", e);
    }
  }

  static HttpClient client(Vertx vertx) {
    return vertx.createHttpClient();
  }

  /** The sample named {@code name} whose labels include {@code labels} (pairs); null when there is none. */
  Double value(String name, String... labels) {
    Map<String, String> wanted = new HashMap<>();
    for (int i = 0; i < labels.length; i += 2) {
      wanted.put(labels[i], labels[i + 1]);
    }
    for (String line : text.split("\n")) {
      Matcher sample = SAMPLE.matcher(line);
      if (!sample.find() || !sample.group(1).equals(name)) {
        continue;
      }
      Map<String, String> have = new HashMap<>();
      Matcher label = LABEL.matcher(sample.group(2) == null ? "" : sample.group(2));
      while (label.find()) {
        have.put(label.group(1), label.group(2));
      }
      if (have.entrySet().containsAll(wanted.entrySet())) {
        return Double.parseDouble(sample.group(3));
      }
    }
    return null;
  }
}

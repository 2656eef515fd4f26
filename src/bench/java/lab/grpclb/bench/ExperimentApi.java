package lab.grpclb.bench;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import lab.grpclb.experiment.ExperimentReport;
import lab.grpclb.experiment.ReportJson;

/**
 * An experiment client's HTTP API ({@code GET /experiment/client?type=T&...}), ours or the grpc-java peer's:
 * the JSON edge of the benchmark and the soak. A report is read through {@link ReportJson} only.
 */
final class ExperimentApi {
  /** The one field of every error answer ({@code {"error": "..."}}). */
  private static final String ERROR_FIELD = "error";

  private final HttpClient http = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5))
      .build();
  private final String base;
  private final Duration timeout;

  ExperimentApi(String host, int port, Duration timeout) {
    this.base = "http://" + host + ":" + port;
    this.timeout = timeout;
  }

  /** One experiment's answer: the report (status 200), or the status and the error message. */
  record ExperimentAnswer(int status, ExperimentReport report, String error) {
    boolean ok() {
      return status == 200 && report != null;
    }

    /** 400 (unknown type) or 503 (type known but unavailable): a row of n/a, not a failed benchmark. */
    boolean unavailable() {
      return status == 400 || status == 503;
    }
  }

  ExperimentAnswer run(String type, BenchLoad load) throws IOException, InterruptedException {
    URI uri = URI.create(base + "/experiment/client?type=" + URLEncoder.encode(type, StandardCharsets.UTF_8) + "&" + load.query());
    HttpRequest request = HttpRequest.newBuilder(uri).timeout(timeout).GET().build();
    HttpResponse<String> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (HttpTimeoutException e) {
      throw new IOException("no answer within " + timeout.toSeconds() + " s (--timeout-s) from " + uri, e);
    }
    int status = response.statusCode();
    JsonObject body;
    try {
      body = new JsonObject(response.body());
    } catch (DecodeException | ClassCastException e) {
      return new ExperimentAnswer(status, null, "HTTP " + status + ", not JSON: " + abbreviate(response.body()));
    }
    if (status != 200) {
      Object error = body.getValue(ERROR_FIELD);
      return new ExperimentAnswer(status, null, error == null ? body.encode() : String.valueOf(error));
    }
    try {
      return new ExperimentAnswer(200, ReportJson.fromJson(body), null);
    } catch (RuntimeException e) { // a field missing or of another type: say which answer, not where it broke
      return new ExperimentAnswer(status, null, "HTTP 200 but not an experiment report (" + e + "): " + abbreviate(response.body()));
    }
  }

  private static String abbreviate(String text) {
    String oneLine = text.replaceAll("\\s+", " ").trim();
    return oneLine.length() <= 200 ? oneLine : oneLine.substring(0, 200) + "...";
  }
}

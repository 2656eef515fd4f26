package lab.grpclb.bench;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** The experiment client's HTTP API: {@code GET /experiment/client?type=T&n=N}. */
final class ExperimentApi {
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
  record Answer(int status, JsonObject report, String error) {
    boolean ok() {
      return status == 200 && report != null;
    }

    /** 400 (unknown type) or 503 (type known but unavailable): a row of n/a, not a failed benchmark. */
    boolean unavailable() {
      return status == 400 || status == 503;
    }
  }

  Answer run(String type, int n) throws IOException, InterruptedException {
    URI uri = URI.create(base + "/experiment/client?type=" + URLEncoder.encode(type, StandardCharsets.UTF_8) + "&n=" + n);
    HttpRequest request = HttpRequest.newBuilder(uri).timeout(timeout).GET().build();
    HttpResponse<String> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (java.net.http.HttpTimeoutException e) {
      throw new IOException("no answer within " + timeout.toSeconds() + " s (--timeout-s) from " + uri, e);
    }
    JsonObject body;
    try {
      body = new JsonObject(response.body());
    } catch (DecodeException | ClassCastException e) {
      return new Answer(response.statusCode(), null, "HTTP " + response.statusCode() + ", not JSON: " + abbreviate(response.body()));
    }
    if (response.statusCode() == 200) {
      return new Answer(200, body, null);
    }
    String error = body.getValue("error") == null ? body.encode() : String.valueOf(body.getValue("error"));
    return new Answer(response.statusCode(), null, error);
  }

  private static String abbreviate(String text) {
    String oneLine = text.replaceAll("\\s+", " ").trim();
    return oneLine.length() <= 200 ? oneLine : oneLine.substring(0, 200) + "...";
  }
}

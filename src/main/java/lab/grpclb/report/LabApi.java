package lab.grpclb.report;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import lab.grpclb.experiment.ReportJson;

/**
 * The local cluster as a user drives it: the experiment client's HTTP API and the cluster controls on the same
 * port, over loopback. The report uses nothing else, so it measures what a curl user would see.
 */
final class LabApi {
  private final HttpClient http;

  LabApi(Vertx vertx, int port) {
    this.http = vertx.createHttpClient(new HttpClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port));
  }

  Future<Run> experiment(String type, int n) {
    return experiment(type, "n=" + n);
  }

  /** An experiment with the given query besides its type (a load shape, runs=K). */
  Future<Run> experiment(String type, String query) {
    return call(HttpMethod.GET, "/experiment/client?type=" + URLEncoder.encode(type, StandardCharsets.UTF_8) + "&" + query, 200)
        .map(json -> new Run(ReportJson.fromJson(json)));
  }

  Future<JsonObject> cluster() {
    return call(HttpMethod.GET, "/cluster", 200);
  }

  Future<JsonObject> scale(int replicas) {
    return call(HttpMethod.POST, "/cluster/scale?replicas=" + replicas, 200);
  }

  Future<JsonObject> deletePod(String name) {
    return call(HttpMethod.DELETE, "/cluster/pods/" + URLEncoder.encode(name, StandardCharsets.UTF_8), 202);
  }

  Future<JsonObject> delay(String pod, int ms) {
    return call(HttpMethod.POST, "/cluster/pods/" + URLEncoder.encode(pod, StandardCharsets.UTF_8) + "/delay?ms=" + ms, 200);
  }

  Future<JsonObject> errors(String pod, double rate, String status) {
    return call(HttpMethod.POST, "/cluster/pods/" + URLEncoder.encode(pod, StandardCharsets.UTF_8) + "/errors?rate=" + rate
        + "&status=" + status, 200);
  }

  /** ClientWithKubeResolver's outlier ejection, as {@code POST /balancer/outlier-ejection?QUERY} sets it. */
  Future<JsonObject> ejection(String query) {
    return call(HttpMethod.POST, "/balancer/outlier-ejection?" + query, 200);
  }

  Future<JsonObject> status() {
    return call(HttpMethod.GET, "/status", 200);
  }

  Future<Void> close() {
    return http.close();
  }

  private Future<JsonObject> call(HttpMethod method, String uri, int expected) {
    return http.request(method, uri)
        .compose(request -> request.send())
        .compose(response -> response.body().compose(body -> {
          JsonObject json;
          try {
            json = body.length() == 0 ? new JsonObject() : body.toJsonObject();
          } catch (DecodeException e) {
            return Future.failedFuture(method + " " + uri + " answered " + response.statusCode() + ", not JSON");
          }
          if (response.statusCode() != expected) {
            return Future.failedFuture(method + " " + uri + " answered " + response.statusCode() + ": "
                + json.getString("error", json.encode()));
          }
          return Future.succeededFuture(json);
        }));
  }
}

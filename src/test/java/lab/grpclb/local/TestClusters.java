package lab.grpclb.local;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemTrustOptions;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import lab.grpclb.Http;
import lab.grpclb.config.Flags;
import lab.grpclb.config.LocalConfig;

/**
 * Local clusters for tests: every port but the pods' gRPC port chosen by the system and the kubeconfig in a
 * temporary directory, unless a test's flags say otherwise, so tests never collide.
 */
public final class TestClusters {
  private TestClusters() {
  }

  /** {@code --mode local} on gRPC port {@code grpcPort} (pods on 127.0.0.2+), with the extra flags given. */
  public static Cluster start(Vertx vertx, int grpcPort, String... flags) throws Exception {
    List<String> args = new ArrayList<>(List.of(flags));
    args.addAll(List.of("--port", String.valueOf(grpcPort)));
    for (String port : List.of("--http-port", "--api-port", "--dns-port")) {
      if (!args.contains(port)) {
        args.addAll(List.of(port, "0"));
      }
    }
    if (!args.contains("--kubeconfig")) {
      args.addAll(List.of("--kubeconfig", Files.createTempDirectory("kube").resolve("config").toString()));
    }
    LocalConfig config = LocalConfig.from(Flags.parse(args.toArray(String[]::new), Map.of()));
    LocalMode local = new LocalMode(vertx, config).start().await(20, TimeUnit.SECONDS);
    return new Cluster(local, new Http(vertx), new Http(vertx, controlPlaneTls(local)));
  }

  /** A client of the control plane's HTTPS address: it trusts the CA local mode made, as kubectl does. */
  public static HttpClientOptions controlPlaneTls(LocalMode local) {
    return new HttpClientOptions().setSsl(true).setVerifyHost(true)
        .setTrustOptions(new PemTrustOptions().addCertValue(Buffer.buffer(local.controlPlaneCa())));
  }

  /**
   * A running local cluster, an HTTP helper on its client's port (the cluster controls and the experiments) and one
   * on its control plane's (HTTPS; anonymous, so it may read).
   */
  public record Cluster(LocalMode local, Http http, Http api) implements AutoCloseable {
    public int port() {
      return local.client().port();
    }

    public Http.Answer send(HttpMethod method, String uri) throws Exception {
      return http.send(method, port(), uri);
    }

    public Future<Http.Answer> sendAsync(HttpMethod method, String uri) {
      return http.sendAsync(method, port(), uri);
    }

    /** {@code POST /cluster/scale}, answered 200. */
    public void scale(int replicas) throws Exception {
      assertEquals(200, send(HttpMethod.POST, "/cluster/scale?replicas=" + replicas).status());
    }

    /** The pods as {@code GET /cluster} lists them, terminating ones included. */
    public List<JsonObject> pods() throws Exception {
      return send(HttpMethod.GET, "/cluster").body().getJsonArray("pods").stream().map(JsonObject.class::cast).toList();
    }

    public Set<String> readyIps() throws Exception {
      Set<String> ips = new TreeSet<>();
      pods().stream().filter(p -> p.getBoolean("ready")).forEach(p -> ips.add(p.getString("ip")));
      return ips;
    }

    /** Stops the cluster and waits: its pods drain. */
    @Override
    public void close() throws Exception {
      local.close().await(30, TimeUnit.SECONDS);
    }
  }

  /** How many endpoints ClientWithKubeResolver picks from, as the client's GET /status says. */
  static int kubeResolverPicks(Http http, int port) {
    try {
      return http.get(port, "/status").body().getJsonObject("types").getJsonObject("ClientWithKubeResolver")
          .getJsonArray("targets").size();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}

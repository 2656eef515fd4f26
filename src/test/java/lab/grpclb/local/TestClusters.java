package lab.grpclb.local;

import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import lab.grpclb.Http;
import lab.grpclb.config.Flags;
import lab.grpclb.config.LocalConfig;

/** Local clusters for tests: every port but the pods' gRPC port chosen by the system, so tests never collide. */
final class TestClusters {
  private TestClusters() {
  }

  /** {@code --mode local} on gRPC port {@code grpcPort} (pods on 127.0.0.2+), with the extra flags given. */
  static LocalMode start(Vertx vertx, int grpcPort, String... flags) throws Exception {
    List<String> args = new ArrayList<>(List.of("--http-port", "0", "--api-port", "0", "--dns-port", "0",
        "--port", String.valueOf(grpcPort)));
    args.addAll(List.of(flags));
    LocalConfig config = LocalConfig.from(Flags.parse(args.toArray(String[]::new), Map.of()));
    return new LocalMode(vertx, config).start().await(10, TimeUnit.SECONDS);
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

package lab.grpclb.local;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.logging.Logger;
import lab.grpclb.config.LocalConfig;
import lab.grpclb.experiment.ExperimentClient;

/** {@code --mode local}: pods, a service address, and the experiment client, all in this process. */
public final class LocalMode {
  private static final Logger LOG = Logger.getLogger(LocalMode.class.getName());

  private final Vertx vertx;
  private final LocalConfig config;
  private final LocalCluster cluster;
  private final ServiceProxy service;
  private ExperimentClient client;

  public LocalMode(Vertx vertx, LocalConfig config) {
    this.vertx = vertx;
    this.config = config;
    this.cluster = new LocalCluster(vertx, config.grpcPort(), config.delayMs());
    this.service = new ServiceProxy(vertx, cluster::readyAddresses);
  }

  public Future<LocalMode> start() {
    long started = System.nanoTime();
    return cluster.scale(config.replicas())
        .compose(v -> service.listen(config.serviceIp(), config.grpcPort()))
        .compose(v -> new ExperimentClient(vertx, config.client()).start())
        .map(c -> {
          client = c;
          LOG.info(() -> banner((System.nanoTime() - started) / 1_000_000));
          return this;
        });
  }

  private String banner(long startMs) {
    String base = "http://127.0.0.1:" + client.port();
    StringBuilder text = new StringBuilder("local cluster up in " + startMs + " ms\n");
    for (Pod pod : cluster.pods()) {
      text.append("  pod      ").append(pod.name()).append("  ").append(pod.ip()).append(':').append(config.grpcPort()).append('\n');
    }
    text.append("  service  greeter-server  ").append(config.serviceIp()).append(':').append(config.grpcPort())
        .append("  (a random ready pod per connection, like kube-proxy)\n");
    text.append("  client   ").append(base).append('\n');
    text.append("try:\n");
    text.append("  curl '").append(base).append("/experiment/client?type=Client&n=1000'\n");
    text.append("  curl '").append(base).append("/experiment/client?type=ClientWithReuseConn&n=1000'\n");
    text.append("  curl '").append(base).append("/experiment/client?type=ClientWithKubeResolver&n=3000'");
    return text.toString();
  }

  public LocalCluster cluster() {
    return cluster;
  }

  public ExperimentClient client() {
    return client;
  }

  public Future<Void> stop() {
    Future<Void> clientStopped = client == null ? Future.succeededFuture() : client.close();
    return clientStopped.eventually(service::close).eventually(cluster::stop);
  }
}

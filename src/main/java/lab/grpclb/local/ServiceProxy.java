package lab.grpclb.local;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.SocketAddress;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

/**
 * What kube-proxy does for a ClusterIP Service: each new TCP connection to the service address goes to one
 * ready pod chosen at random, and stays with it for its whole life. HTTP/2 multiplexes every call of a
 * channel over that one connection, which is the whole point of the experiment.
 */
public final class ServiceProxy {
  private final Vertx vertx;
  private final Supplier<List<SocketAddress>> readyPods;
  private final NetClient backends;
  private NetServer server;

  public ServiceProxy(Vertx vertx, Supplier<List<SocketAddress>> readyPods) {
    this.vertx = vertx;
    this.readyPods = readyPods;
    this.backends = vertx.createNetClient();
  }

  public Future<ServiceProxy> listen(String host, int port) {
    server = vertx.createNetServer(new NetServerOptions().setHost(host).setPort(port).setTcpNoDelay(true))
        .connectHandler(this::forward);
    return server.listen().map(this);
  }

  private void forward(NetSocket client) {
    List<SocketAddress> pods = readyPods.get();
    if (pods.isEmpty()) {
      client.close(); // no ready endpoint: the connection is refused, as with a Service without endpoints
      return;
    }
    client.pause();
    SocketAddress pod = pods.get(ThreadLocalRandom.current().nextInt(pods.size()));
    backends.connect(pod).onComplete(ar -> {
      if (ar.failed()) {
        client.close();
        return;
      }
      NetSocket backend = ar.result();
      client.pipeTo(backend);
      backend.pipeTo(client);
      client.resume();
    });
  }

  public int port() {
    return server.actualPort();
  }

  public Future<Void> close() {
    return server == null ? Future.succeededFuture() : server.close().eventually(backends::close);
  }
}

package lab.grpclb;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import lab.grpclb.config.ServerConfig;
import lab.grpclb.server.GreeterServer;

/** Real greeter servers for tests, each on its own loopback address (its "pod IP") and a free port. */
public final class Greeters {
  private Greeters() {
  }

  public static GreeterServer start(Vertx vertx, String ip, int delayMs) throws Exception {
    return start(vertx, ip, 0, delayMs);
  }

  public static GreeterServer start(Vertx vertx, String ip, int port, int delayMs) throws Exception {
    return new GreeterServer(vertx, ServerConfig.forPod(ip, port, delayMs)).start().await(10, TimeUnit.SECONDS);
  }

  /** Servers on 127.0.0.2, 127.0.0.3, ... */
  public static List<GreeterServer> start(Vertx vertx, int count, int delayMs) throws Exception {
    List<GreeterServer> servers = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      servers.add(start(vertx, "127.0.0." + (2 + i), delayMs));
    }
    return servers;
  }

  public static SocketAddress address(GreeterServer server) {
    return SocketAddress.inetSocketAddress(server.port(), server.config().podIp());
  }

  public static void stopAll(List<GreeterServer> servers) throws Exception {
    Future.join(servers.stream().map(GreeterServer::kill).toList()).await(10, TimeUnit.SECONDS);
  }
}

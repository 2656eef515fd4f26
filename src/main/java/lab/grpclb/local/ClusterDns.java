package lab.grpclb.local;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.logging.Logger;
import lab.grpclb.config.DnsConfig;
import lab.grpclb.config.ListenException;
import lab.grpclb.transport.DnsServer;
import lab.grpclb.transport.DnsServer.DnsAnswer;

/**
 * What kube-dns (CoreDNS) answers for the headless Service {@code greeter-server-headless}: one A record per
 * ready pod, TTL 5 s (CoreDNS's default for headless services), NXDOMAIN for any other name, and NXDOMAIN while
 * no pod is ready, as CoreDNS and kube-dns do (kubernetes/dns#245). The endpoint controller publishes each change
 * as one immutable snapshot; queries read it on the DNS server's event loop and never wait.
 */
public final class ClusterDns {
  private static final Logger LOG = Logger.getLogger(ClusterDns.class.getName());
  static final int TTL_SECONDS = 5;
  public static final String HOST = "127.0.0.1";

  private final String name;
  private volatile List<String> readyIps = List.of();
  private DnsServer server;

  public ClusterDns(String namespace) {
    this.name = DnsConfig.headlessName(namespace);
  }

  /** Listens on 127.0.0.1; a port in use fails naming {@code --dns-port}. */
  public Future<ClusterDns> listen(Vertx vertx, int port) {
    return DnsServer.listen(vertx, HOST, port, this::answer)
        .recover(err -> ListenException.naming("--dns-port", HOST, port, err))
        .map(s -> {
          server = s;
          LOG.info(() -> "cluster DNS on " + HOST + ":" + s.port() + " (UDP and TCP): " + name + " -> the ready pods");
          return this;
        });
  }

  /** The ready pods' IPs, as the endpoint controller last wrote them. */
  public void publish(List<String> ips) {
    readyIps = List.copyOf(ips);
  }

  private DnsAnswer answer(DnsServer.Question question) {
    List<String> ips = readyIps;
    if (!question.name().equals(name) || ips.isEmpty()) {
      return new DnsAnswer.NoSuchName();
    }
    return question.type().equals("A") ? new DnsAnswer.Addresses(ips, TTL_SECONDS) : new DnsAnswer.NoData();
  }

  String name() {
    return name;
  }

  public int port() {
    return server.port();
  }

  Future<Void> close() {
    return server == null ? Future.succeededFuture() : server.close();
  }
}

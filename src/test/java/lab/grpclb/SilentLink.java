package lab.grpclb;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A TCP relay in front of a real server, on an address of its own, that can go silent: from {@link #silence} on it
 * drops every byte both ways and keeps both sockets open, as a lost node or dropped packets do. No RST, no FIN:
 * only the client's keepalive can tell. A test may also read what clients send ({@link #tapClientBytes}).
 */
public final class SilentLink implements AutoCloseable {
  private final NetServer server;
  private final List<NetSocket> sockets = new ArrayList<>();
  private volatile boolean silent;
  private volatile Supplier<Consumer<Buffer>> clientTap = () -> bytes -> { };

  private SilentLink(NetServer server) {
    this.server = server;
  }

  /** A relay listening on {@code ip}:{@code port} to {@code target}. */
  public static SilentLink start(Vertx vertx, String ip, int port, SocketAddress target) throws Exception {
    SilentLink[] link = new SilentLink[1];
    NetServer server = vertx.createNetServer(new NetServerOptions().setHost(ip).setPort(port))
        .connectHandler(inbound -> link[0].relay(vertx, inbound, target));
    link[0] = new SilentLink(server);
    server.listen().await(5, TimeUnit.SECONDS);
    return link[0];
  }

  private void relay(Vertx vertx, NetSocket inbound, SocketAddress target) {
    inbound.pause();
    Consumer<Buffer> tap = clientTap.get();
    vertx.createNetClient().connect(target).onSuccess(outbound -> {
      synchronized (sockets) {
        sockets.add(inbound);
        sockets.add(outbound);
      }
      inbound.handler(bytes -> {
        if (!silent) {
          tap.accept(bytes); // before the server can answer: a reply seen means its request was read here
          outbound.write(bytes);
        }
      });
      outbound.handler(bytes -> {
        if (!silent) {
          inbound.write(bytes);
        }
      });
      inbound.closeHandler(v -> outbound.close());
      outbound.closeHandler(v -> inbound.close());
      inbound.resume();
    }).onFailure(err -> inbound.close());
  }

  public int port() {
    return server.actualPort();
  }

  /** Each connection made from now on hands the bytes its client sends, in order, to a consumer of its own. */
  public void tapClientBytes(Supplier<Consumer<Buffer>> perConnection) {
    clientTap = perConnection;
  }

  /** Drops everything from now on, both ways, with the sockets left open. */
  public void silence() {
    silent = true;
  }

  @Override
  public void close() throws Exception {
    List<Future<Void>> closing = new ArrayList<>();
    synchronized (sockets) {
      sockets.forEach(socket -> closing.add(socket.close()));
    }
    closing.add(server.close());
    Future.join(closing).await(5, TimeUnit.SECONDS);
  }
}

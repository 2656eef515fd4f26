package lab.grpclb.transport;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.vertx.core.Future;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.impl.HttpServerImpl;
import io.vertx.core.net.impl.NetServerImpl;
import io.vertx.core.net.impl.NetServerInternal;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.logging.Logger;

/**
 * The Netty channels under Vert.x's HTTP objects: a connection's socket, and the listening socket of a server (Vert.x
 * exposes neither). Reaches into Vert.x 5.0.7's internals as {@link FlushBatching} does; each answer is null, and the
 * log says once why, if those internals change.
 */
public final class VertxChannels {
  private static final Logger LOG = Logger.getLogger(VertxChannels.class.getName());
  private static final VarHandle TCP_SERVER = field(HttpServerImpl.class, "tcpServer", NetServerInternal.class);
  private static final VarHandle ACTUAL_SERVER = field(NetServerImpl.class, "actualServer", NetServerImpl.class);
  private static final VarHandle BIND_FUTURE = field(NetServerImpl.class, "bindFuture", Future.class);

  private VertxChannels() {
  }

  /** The connection's socket channel, or null when Vert.x hides it. */
  public static Channel of(HttpConnection connection) {
    ChannelHandlerContext context = FlushBatching.channel(connection);
    return context == null ? null : context.channel();
  }

  /** The socket a listening server accepts on, or null (not listening, or Vert.x's internals changed). */
  public static Channel listening(HttpServer server) {
    if (TCP_SERVER == null || ACTUAL_SERVER == null || BIND_FUTURE == null || !(server instanceof HttpServerImpl impl)) {
      return null;
    }
    if (!(TCP_SERVER.get(impl) instanceof NetServerImpl tcp) || !(ACTUAL_SERVER.get(tcp) instanceof NetServerImpl bound)) {
      return null;
    }
    Future<?> bind = (Future<?>) BIND_FUTURE.get(bound);
    return bind != null && bind.succeeded() && bind.result() instanceof Channel channel ? channel : null;
  }

  private static VarHandle field(Class<?> owner, String name, Class<?> type) {
    try {
      return MethodHandles.privateLookupIn(owner, MethodHandles.lookup()).findVarHandle(owner, name, type);
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.warning(() -> "cannot reach " + owner.getSimpleName() + "." + name + " (Vert.x internals changed): " + e);
      return null;
    }
  }
}

package lab.grpclb.transport;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.impl.UnpooledHttpClientConnection;
import io.vertx.core.net.impl.ConnectionBase;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;

/**
 * Outside a read, Vert.x flushes the socket after every HTTP/2 frame it writes, so a timer that completes a
 * thousand replies, or a slice of a thousand calls, makes thousands of write syscalls (40 % of a firing
 * client's event loop), and each of those flushes first walks Netty's HTTP/2 flow controller. Netty's
 * FlushConsolidationHandler turns the flushes of one event-loop task into one, both of them.
 * Reaches into Vert.x's connection internals: a measured, isolated exception.
 */
public final class FlushBatching {
  private static final Logger LOG = Logger.getLogger(FlushBatching.class.getName());
  private static final String NAME = "flush-batching";
  /** Flush at least this often even within one long task, so bytes never sit for long. */
  private static final int EXPLICIT_FLUSH_AFTER = 256;
  /** A connection from {@code HttpClientAgent.connect()} wraps the real one and does not expose it. */
  private static final VarHandle UNPOOLED_ACTUAL = unpooledActual();
  private static final AtomicBoolean UNREACHABLE_LOGGED = new AtomicBoolean();

  private FlushBatching() {
  }

  /** Call on the connection's event loop. Says once in the log when a connection is out of its reach. */
  public static void install(HttpConnection connection) {
    ChannelHandlerContext context = channel(connection);
    if (context == null) {
      if (UNREACHABLE_LOGGED.compareAndSet(false, true)) {
        LOG.warning(() -> "flush batching cannot reach a " + connection.getClass().getName()
            + ": every HTTP/2 frame will cost a write syscall");
      }
    } else if (context.pipeline().get(NAME) == null) {
      // Behind the HTTP/2 handler (on the tail side): Vert.x flushes through the channel, from the tail, so the
      // HTTP/2 handler's flush (its flow controller walks the streams with pending DATA) also runs once per task.
      context.pipeline().addAfter(context.name(), NAME, new FlushConsolidationHandler(EXPLICIT_FLUSH_AFTER, true));
    }
  }

  /** Whether {@link #install} took effect: it fails quietly (only slower) if Vert.x internals change. */
  public static boolean installed(HttpConnection connection) {
    ChannelHandlerContext context = channel(connection);
    return context != null && context.pipeline().get(NAME) != null;
  }

  /** The Netty context of the connection's HTTP/2 handler, or null when Vert.x hides it. */
  static ChannelHandlerContext channel(HttpConnection connection) {
    if (connection instanceof UnpooledHttpClientConnection unpooled && UNPOOLED_ACTUAL != null) {
      connection = (HttpConnection) UNPOOLED_ACTUAL.get(unpooled);
    }
    return connection instanceof ConnectionBase base ? base.channelHandlerContext() : null;
  }

  private static VarHandle unpooledActual() {
    try {
      return MethodHandles.privateLookupIn(UnpooledHttpClientConnection.class, MethodHandles.lookup())
          .findVarHandle(UnpooledHttpClientConnection.class, "actual",
              Class.forName("io.vertx.core.http.impl.HttpClientConnectionInternal"));
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.warning(() -> "flush batching unavailable on client connections (Vert.x internals changed): " + e);
      return null;
    }
  }
}

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
 * FlushConsolidationHandler turns the flushes of one event-loop task into one, both of them. Within a read it
 * flushes nothing until the read ends, and a client's connection then splits long writes ({@link FlushEveryWrites}).
 * Reaches into Vert.x's connection internals: a measured, isolated exception.
 */
public final class FlushBatching {
  private static final Logger LOG = Logger.getLogger(FlushBatching.class.getName());
  private static final String NAME = "flush-batching";
  private static final String SPLIT_NAME = "flush-every-writes";
  /**
   * A client connection flushes at least every this many buffers, even within one read: about 43 calls of 4 buffers
   * each (a perf trace of writev: 400 iovecs per 100 calls), as grpc-java flushes its write queue every 128 commands.
   * See {@link FlushEveryWrites}.
   */
  static final int CLIENT_FLUSH_EVERY_WRITES = 172;
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
      if (context.channel().parent() == null) { // a client's: a server's connection has the listening channel as parent
        // In front of the HTTP/2 handler (on the socket side), where the frames it encodes pass. Not on a server's:
        // a reply's DATA and trailers wait in Netty's flow controller until the HTTP/2 handler's own flush, so a
        // flush from there sends little more than HEADERS (tried beside the client's: 1.01x calls/s, within noise)
        context.pipeline().addBefore(context.name(), SPLIT_NAME, new FlushEveryWrites(CLIENT_FLUSH_EVERY_WRITES));
      }
    }
  }

  /** Whether {@link #install} took effect: it fails quietly (only slower) if Vert.x internals change. */
  public static boolean installed(HttpConnection connection) {
    ChannelHandlerContext context = channel(connection);
    return context != null && context.pipeline().get(NAME) != null
        && (context.channel().parent() != null || context.pipeline().get(SPLIT_NAME) != null);
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

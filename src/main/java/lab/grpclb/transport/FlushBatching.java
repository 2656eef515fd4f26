package lab.grpclb.transport;

import io.netty.handler.flush.FlushConsolidationHandler;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.impl.ConnectionBase;

/**
 * Outside a read, Vert.x flushes the socket after every HTTP/2 frame it writes, so a timer that completes a
 * thousand replies makes thousands of write syscalls. Netty's FlushConsolidationHandler turns the flushes of
 * one event-loop task into one. Reaches into Vert.x's connection internals: a measured, isolated exception.
 */
public final class FlushBatching {
  /** Flush at least this often even within one long task, so bytes never sit for long. */
  private static final int EXPLICIT_FLUSH_AFTER = 256;

  private FlushBatching() {
  }

  public static void install(HttpConnection connection) {
    if (connection instanceof ConnectionBase base) {
      base.channelHandlerContext().pipeline().addFirst("flush-batching",
          new FlushConsolidationHandler(EXPLICIT_FLUSH_AFTER, true));
    }
  }
}

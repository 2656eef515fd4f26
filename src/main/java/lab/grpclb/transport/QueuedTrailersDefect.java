package lab.grpclb.transport;

import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Filter;
import java.util.logging.Logger;

/**
 * Silences one known Vert.x 5.0.7 defect. The HTTP/2 server writes a gRPC reply's trailers with a null promise
 * ({@code Http2ServerResponse} -> {@code VertxHttp2Stream.writeHeaders(..., null)}); when the stream closes while
 * they still wait in its outbound queue (the client vanished, or the pod was killed, with replies not yet
 * flushed), discarding them calls {@code promise.fail} on that null, and Netty logs a NullPointerException
 * stack trace per stream ("Caught Throwable from listener onStreamClosed"). Nothing is lost: the stream is gone
 * either way. Only that exact record is dropped, and counted.
 */
public final class QueuedTrailersDefect {
  /** Netty's logger for the stream listeners; held so that the filter is never collected with it. */
  private static final Logger NETTY_STREAMS = Logger.getLogger("io.netty.handler.codec.http2.DefaultHttp2Connection");
  private static final LongAdder DROPPED = new LongAdder();
  private static final Filter FILTER = record -> {
    if (isDefect(record.getThrown())) {
      DROPPED.increment();
      return false;
    }
    return true;
  };

  private QueuedTrailersDefect() {
  }

  /** Idempotent. */
  public static synchronized void silence() {
    if (NETTY_STREAMS.getFilter() != FILTER) {
      NETTY_STREAMS.setFilter(FILTER);
    }
  }

  /** How many such records were dropped in this JVM. */
  public static long dropped() {
    return DROPPED.sum();
  }

  private static boolean isDefect(Throwable thrown) {
    if (!(thrown instanceof NullPointerException) || thrown.getStackTrace().length == 0) {
      return false;
    }
    StackTraceElement top = thrown.getStackTrace()[0];
    return top.getClassName().startsWith("io.vertx.core.http.impl.VertxHttp2Stream") && "cancel".equals(top.getMethodName());
  }
}

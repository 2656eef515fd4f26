package lab.grpclb.transport;

import java.util.logging.Filter;
import java.util.logging.Logger;

/**
 * Drops five kinds of log record that Vert.x 5.0.7 and its Netty write for events that are normal in this lab, so that they never
 * flood a log; each is matched exactly.
 * <ul>
 *   <li>The HTTP/2 server writes a gRPC reply's trailers with a null promise ({@code Http2ServerResponse} ->
 *   {@code VertxHttp2Stream.writeHeaders(..., null)}). When the stream closes while they still wait in its
 *   outbound queue (the client vanished, or the pod was killed, with replies not yet flushed), discarding them
 *   calls {@code promise.fail} on that null, and Netty logs a NullPointerException stack trace per stream
 *   ("Caught Throwable from listener onStreamClosed"). Nothing is lost: the stream is gone either way.</li>
 *   <li>A client connection closed before its HTTP/2 handshake completed (our connect timeout, against a pod
 *   that accepts TCP and never answers) logs "Connection evicted": the handler that would replace that
 *   default is installed only once the handshake is done. The endpoint's state says what happened.</li>
 *   <li>Netty's HTTP/2 decoder logs, at INFO and once per frame, each HEADERS or DATA frame it ignores for a
 *   stream it has reset or that came after its GOAWAY, as RFC 9113 tells it to. A pod that drains or is killed
 *   with calls arriving, or a client cancelling calls whose replies cross the cancels, ignores thousands (a
 *   killed pod in local mode: 2 741 lines; DrainTest: 3 049).</li>
 * </ul>
 */
public final class KnownVertxNoise {
  /** Loggers are held here so that their filters are never collected with them. */
  private static final Logger NETTY_STREAMS = Logger.getLogger("io.netty.handler.codec.http2.DefaultHttp2Connection");
  private static final Logger CLIENT_CONNECTIONS = Logger.getLogger("io.vertx.core.http.impl.HttpClientConnectionInternal");
  private static final Logger SERVER_ACCEPTS = Logger.getLogger("io.netty.bootstrap.ServerBootstrap");
  private static final Logger CONNECTIONS = Logger.getLogger("io.vertx.core.net.impl.ConnectionBase");
  private static final Logger HTTP2_DECODER = Logger.getLogger("io.netty.handler.codec.http2.DefaultHttp2ConnectionDecoder");
  private static final Filter QUEUED_TRAILERS = record -> !isQueuedTrailersDefect(record.getMessage(), record.getThrown());
  private static final Filter ABORTED_HANDSHAKE = record -> !"Connection evicted".equals(record.getMessage());
  private static final Filter ACCEPTED_WHILE_CLOSING = record -> !isAcceptedWhileClosing(record.getThrown());
  private static final Filter NO_SETTINGS = record -> record.getMessage() == null
      || !record.getMessage().startsWith("First received frame was not SETTINGS");
  private static final Filter IGNORED_FRAMES = record -> !isIgnoredFrame(record.getMessage());

  private KnownVertxNoise() {
  }

  /** Idempotent. */
  public static synchronized void silence() {
    NETTY_STREAMS.setFilter(QUEUED_TRAILERS);
    CLIENT_CONNECTIONS.setFilter(ABORTED_HANDSHAKE);
    SERVER_ACCEPTS.setFilter(ACCEPTED_WHILE_CLOSING);
    CONNECTIONS.setFilter(NO_SETTINGS);
    HTTP2_DECODER.setFilter(IGNORED_FRAMES);
  }

  /** "[id: ...] ignoring DATA frame for stream RST_STREAM sent." and its GOAWAY variants. */
  static boolean isIgnoredFrame(String message) {
    return message != null && message.contains("] ignoring ") && message.contains(" frame for stream ");
  }

  private static boolean isAcceptedWhileClosing(Throwable thrown) {
    return thrown instanceof IllegalStateException && thrown.getStackTrace().length > 0
        && thrown.getStackTrace()[0].getClassName().equals("io.vertx.core.net.impl.VertxEventLoopGroup");
  }

  /**
   * Once the JIT has seen this NullPointerException often (a client cancelling tens of thousands of calls), it
   * throws a preallocated one without a stack trace (OmitStackTraceInFastThrow): then Netty's message, which
   * names the listener callback, is what identifies it. A benchmark peer's mass cancel logged 43 605 of them.
   */
  static boolean isQueuedTrailersDefect(String message, Throwable thrown) {
    if (!(thrown instanceof NullPointerException)) {
      return false;
    }
    if (thrown.getStackTrace().length == 0) {
      return "Caught Throwable from listener onStreamClosed.".equals(message);
    }
    StackTraceElement top = thrown.getStackTrace()[0];
    return top.getClassName().startsWith("io.vertx.core.http.impl.VertxHttp2Stream") && "cancel".equals(top.getMethodName());
  }
}

package lab.grpclb.transport;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.util.logging.Logger;
import lab.grpclb.config.FlagTable;
import lab.grpclb.config.Flags;

/**
 * {@code --transport}: Netty's native epoll transport (the default, as grpc-java's Netty transport uses on Linux),
 * or the JDK's NIO. The jar carries epoll for Linux x86_64 and aarch64; elsewhere, or where it can't load, the
 * event loops run on NIO and the startup line says why.
 */
public enum IoTransport {
  NATIVE, NIO;

  private static final Logger LOG = Logger.getLogger(IoTransport.class.getName());

  public static IoTransport from(Flags flags) {
    return flags.choice(FlagTable.TRANSPORT, IoTransport.class);
  }

  /** A Vert.x on this transport, saying in the log which one its event loops run on. */
  public Vertx newVertx() {
    Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(this == NATIVE));
    LOG.info(() -> "event loops on " + describe(vertx));
    return vertx;
  }

  public String describe(Vertx vertx) {
    if (vertx.isNativeTransportEnabled()) {
      return "the native epoll transport (--transport native)";
    }
    Throwable why = vertx.unavailableNativeTransportCause();
    return this == NIO ? "NIO (--transport nio)"
        : "NIO: the native transport is unavailable here (" + (why == null ? "no reason given" : why.getMessage()) + ")";
  }
}

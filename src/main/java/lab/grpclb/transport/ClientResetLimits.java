package lab.grpclb.transport;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.DecoratingHttp2ConnectionDecoder;
import io.netty.handler.codec.http2.DecoratingHttp2ConnectionEncoder;
import io.netty.handler.codec.http2.Http2ConnectionDecoder;
import io.netty.handler.codec.http2.Http2ConnectionEncoder;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.vertx.core.http.HttpConnection;
import java.lang.reflect.Field;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;

/**
 * Takes the server-side RST-flood limits off a client connection. Netty enables them only on servers (200 RST
 * frames per 30 s, sent or received), but Vert.x 5.0.7's {@code VertxHttp2ConnectionHandlerBuilder.server(false)}
 * never reaches Netty's builder, so every Vert.x client connection gets them too. A client that cancels
 * thousands of calls (a deadline storm) sends a STREAM_CLOSED reset for each reply that crosses its cancel,
 * and past 200 it closed its own shared connection, failing every healthy call on it. A client has nothing to
 * protect there: this restores Netty's client default (no limit). Reaches into Netty internals: isolated here,
 * logged once if they change, and guarded by a test.
 */
public final class ClientResetLimits {
  private static final Logger LOG = Logger.getLogger(ClientResetLimits.class.getName());
  private static final String LIMIT_DECODER = "io.netty.handler.codec.http2.Http2MaxRstFrameDecoder";
  private static final String LIMIT_ENCODER = "io.netty.handler.codec.http2.Http2MaxRstFrameLimitEncoder";
  private static final Field DECODER_DELEGATE = field(DecoratingHttp2ConnectionDecoder.class, "delegate");
  private static final Field ENCODER_DELEGATE = field(DecoratingHttp2ConnectionEncoder.class, "delegate");
  private static final Field ENCODER_MAX = field(className(LIMIT_ENCODER), "maxRstFramesPerWindow");
  private static final AtomicBoolean UNREACHABLE_LOGGED = new AtomicBoolean();

  private ClientResetLimits() {
  }

  /** Call on the connection's event loop once it is established (its SETTINGS read). */
  public static void lift(HttpConnection connection) {
    ChannelHandlerContext context = FlushBatching.channel(connection);
    if (context == null || !(context.handler() instanceof Http2ConnectionHandler handler)
        || DECODER_DELEGATE == null || ENCODER_DELEGATE == null || ENCODER_MAX == null) {
      unreachable(connection);
      return;
    }
    try {
      Http2ConnectionDecoder decoder = handler.decoder();
      if (decoder.getClass().getName().equals(LIMIT_DECODER)) {
        // The limit is a listener wrapped around Vert.x's; give the inner decoder the unwrapped one.
        ((Http2ConnectionDecoder) DECODER_DELEGATE.get(decoder)).frameListener(decoder.frameListener());
      }
      for (Http2ConnectionEncoder encoder = handler.encoder(); encoder instanceof DecoratingHttp2ConnectionEncoder;
           encoder = (Http2ConnectionEncoder) ENCODER_DELEGATE.get(encoder)) {
        if (encoder.getClass().getName().equals(LIMIT_ENCODER)) {
          ENCODER_MAX.setInt(encoder, Integer.MAX_VALUE);
        }
      }
    } catch (ReflectiveOperationException | RuntimeException e) {
      unreachable(connection);
    }
  }

  /** Whether the connection's decoder and encoder carry no RST-flood limit any more. */
  public static boolean lifted(HttpConnection connection) {
    ChannelHandlerContext context = FlushBatching.channel(connection);
    if (context == null || !(context.handler() instanceof Http2ConnectionHandler handler)) {
      return false;
    }
    try {
      if (handler.decoder().getClass().getName().equals(LIMIT_DECODER)
          && DECODER_DELEGATE.get(handler.decoder()) instanceof Http2ConnectionDecoder inner
          && inner.frameListener() != handler.decoder().frameListener()) {
        return false;
      }
      for (Http2ConnectionEncoder encoder = handler.encoder(); encoder instanceof DecoratingHttp2ConnectionEncoder;
           encoder = (Http2ConnectionEncoder) ENCODER_DELEGATE.get(encoder)) {
        if (encoder.getClass().getName().equals(LIMIT_ENCODER) && ENCODER_MAX.getInt(encoder) != Integer.MAX_VALUE) {
          return false;
        }
      }
      return true;
    } catch (ReflectiveOperationException | RuntimeException e) {
      return false;
    }
  }

  private static void unreachable(HttpConnection connection) {
    if (UNREACHABLE_LOGGED.compareAndSet(false, true)) {
      LOG.warning(() -> "cannot lift the RST-flood limits of a " + connection.getClass().getName() + " (Netty or Vert.x "
          + "internals changed): a client cancelling over 200 calls in 30 s may close its own connection");
    }
  }

  private static Class<?> className(String name) {
    try {
      return Class.forName(name);
    } catch (ClassNotFoundException e) {
      return null;
    }
  }

  private static Field field(Class<?> owner, String name) {
    if (owner == null) {
      return null;
    }
    try {
      Field field = owner.getDeclaredField(name);
      field.setAccessible(true);
      return field;
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null;
    }
  }
}

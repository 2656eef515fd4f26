package lab.grpclb.transport;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.grpc.client.GrpcClientRequest;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.Field;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;

/**
 * Vert.x 5.0.7 gives every HTTP/2 stream an outbound queue on Netty's MpscUnboundedArrayQueue of 1 024 slots: 4.9 KB
 * per call (jmap), 45 % of the bytes our client allocated in a 100 000-call burst (a JFR allocation profile), held for as
 * long as the call is in flight, so each young collection copies it once per waiting call. A unary call queues a
 * message there only while its stream is not writable, or when written from another thread, and Vert.x only adds
 * to it and polls it. Before the stream's first write this swaps it for a ConcurrentLinkedQueue (48 bytes while
 * empty; a padded JCTools queue of 8 slots still took 0.6 KB): the big one dies young. Reaches into Vert.x
 * internals, as {@link FlushBatching} does: if they change, nothing is swapped and the log says so once.
 */
public final class StreamQueues {
  private static final Logger LOG = Logger.getLogger(StreamQueues.class.getName());
  private static final AtomicBoolean UNREACHABLE_LOGGED = new AtomicBoolean();
  private static final Class<?> STREAM = type("io.vertx.core.http.impl.VertxHttp2Stream");
  private static final MethodHandle GRPC_HTTP_REQUEST = field("io.vertx.grpc.client.impl.GrpcClientRequestImpl",
      "httpRequest", false);
  private static final MethodHandle CLIENT_STREAM = field("io.vertx.core.http.impl.HttpClientRequestBase", "stream", false);
  private static final MethodHandle SERVER_STREAM = field("io.vertx.core.http.impl.Http2ServerRequest", "stream", false);
  private static final MethodHandle OUTBOUND = field("io.vertx.core.http.impl.VertxHttp2Stream", "outboundQueue", false);
  private static final MethodHandle PASSING = field("io.vertx.core.internal.concurrent.OutboundMessageQueue", "mqp", false);
  private static final MethodHandle GET_QUEUE = field("io.vertx.core.streams.impl.MessagePassingQueue", "queue", false);
  private static final MethodHandle SET_QUEUE = field("io.vertx.core.streams.impl.MessagePassingQueue", "queue", true);

  private StreamQueues() {
  }

  /** A client call's stream, on its event loop, before anything is written on it. */
  public static void shrink(GrpcClientRequest<?, ?> request) {
    if (GRPC_HTTP_REQUEST != null && CLIENT_STREAM != null) {
      Object http = read(GRPC_HTTP_REQUEST, request);
      shrinkStream(http == null ? null : read(CLIENT_STREAM, http));
    }
  }

  /** A server call's stream, on its event loop, before its response writes anything. */
  public static void shrink(HttpServerRequest request) {
    if (SERVER_STREAM != null) {
      shrinkStream(read(SERVER_STREAM, request));
    }
  }

  /** The outbound queue of a client call's stream (for tests), or null when out of reach. */
  static Object queueOf(GrpcClientRequest<?, ?> request) {
    Object http = GRPC_HTTP_REQUEST == null ? null : read(GRPC_HTTP_REQUEST, request);
    return http == null || CLIENT_STREAM == null ? null : queueOfStream(read(CLIENT_STREAM, http));
  }

  /** The outbound queue of a server call's stream (for tests), or null when out of reach. */
  static Object queueOf(HttpServerRequest request) {
    return SERVER_STREAM == null ? null : queueOfStream(read(SERVER_STREAM, request));
  }

  private static Object queueOfStream(Object stream) {
    Object passing = passingOf(stream);
    return passing == null || GET_QUEUE == null ? null : read(GET_QUEUE, passing);
  }

  /** Whether Vert.x's internals are where this class expects them (a test checks it on each upgrade). */
  static boolean reachable() {
    return STREAM != null && GRPC_HTTP_REQUEST != null && CLIENT_STREAM != null && SERVER_STREAM != null
        && OUTBOUND != null && PASSING != null && GET_QUEUE != null && SET_QUEUE != null;
  }

  private static void shrinkStream(Object stream) {
    Object passing = passingOf(stream);
    if (passing != null && SET_QUEUE != null) {
      try {
        SET_QUEUE.invoke(passing, new ConcurrentLinkedQueue<>()); // unbounded and safe for many producers, as before
      } catch (Throwable e) {
        unreachable(e);
      }
    }
  }

  /** The stream's MessagePassingQueue, or null: not an HTTP/2 stream (HTTP/1), or out of reach. */
  private static Object passingOf(Object stream) {
    if (STREAM == null || OUTBOUND == null || PASSING == null || !STREAM.isInstance(stream)) {
      return null;
    }
    Object outbound = read(OUTBOUND, stream);
    return outbound == null ? null : read(PASSING, outbound);
  }

  private static Object read(MethodHandle getter, Object owner) {
    try {
      return getter.invoke(owner);
    } catch (Throwable e) {
      return unreachable(e);
    }
  }

  private static Object unreachable(Throwable e) {
    if (UNREACHABLE_LOGGED.compareAndSet(false, true)) {
      LOG.warning(() -> "HTTP/2 streams keep Vert.x's 1 024-slot queues (its internals changed): " + e);
    }
    return null;
  }

  private static Class<?> type(String name) {
    try {
      return Class.forName(name);
    } catch (ClassNotFoundException | LinkageError e) {
      unreachable(e);
      return null;
    }
  }

  /** A getter, or with {@code setter} a setter even of a final field (written once, before the stream is used). */
  private static MethodHandle field(String owner, String name, boolean setter) {
    try {
      Field field = Class.forName(owner).getDeclaredField(name);
      field.setAccessible(true);
      return setter ? MethodHandles.lookup().unreflectSetter(field) : MethodHandles.lookup().unreflectGetter(field);
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      unreachable(e);
      return null;
    }
  }
}

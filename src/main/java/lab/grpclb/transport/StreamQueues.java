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
  private static final InternalField CLIENT_STREAM = InternalField.of("io.vertx.core.http.impl.HttpClientRequestBase", "stream");
  private static final InternalField SERVER_STREAM = InternalField.of("io.vertx.core.http.impl.Http2ServerRequest", "stream");
  private static final InternalField OUTBOUND = InternalField.of("io.vertx.core.http.impl.VertxHttp2Stream", "outboundQueue");
  private static final InternalField PASSING = InternalField.of("io.vertx.core.internal.concurrent.OutboundMessageQueue", "mqp");
  private static final InternalField QUEUE = InternalField.of("io.vertx.core.streams.impl.MessagePassingQueue", "queue");

  private StreamQueues() {
  }

  /** A client call's stream, on its event loop, before anything is written on it. */
  public static void shrink(GrpcClientRequest<?, ?> request) {
    swap(passingOf(request));
  }

  /** A server call's stream (HTTP/2 only: an HTTP/1 request has none), before its response writes anything. */
  public static void shrink(HttpServerRequest request) {
    swap(passingOf(request));
  }

  /** The outbound queue of a client call's stream (for tests), or null when out of reach. */
  static Object queueOf(GrpcClientRequest<?, ?> request) {
    return QUEUE.read(passingOf(request));
  }

  /** The outbound queue of a server call's stream (for tests), or null when out of reach. */
  static Object queueOf(HttpServerRequest request) {
    return QUEUE.read(passingOf(request));
  }

  /** Whether Vert.x's internals are where this class expects them (a test checks it on each upgrade). */
  static boolean reachable() {
    return CLIENT_STREAM.found() && SERVER_STREAM.found() && OUTBOUND.found()
        && PASSING.found() && QUEUE.found();
  }

  /** The message-passing queue under a client call's stream's outbound queue, or null when out of reach. */
  private static Object passingOf(GrpcClientRequest<?, ?> request) {
    return passingOfStream(CLIENT_STREAM.read(GoAwayStreams.httpRequest(request)));
  }

  private static Object passingOf(HttpServerRequest request) {
    return passingOfStream(SERVER_STREAM.read(request));
  }

  private static Object passingOfStream(Object stream) {
    return PASSING.read(OUTBOUND.read(stream));
  }

  private static void swap(Object passing) {
    if (passing != null && QUEUE.setter != null) {
      try {
        QUEUE.setter.invoke(passing, new ConcurrentLinkedQueue<>()); // unbounded and safe for many producers, as before
      } catch (Throwable e) {
        unreachable(e);
      }
    }
  }

  private static void unreachable(Throwable e) {
    if (UNREACHABLE_LOGGED.compareAndSet(false, true)) {
      LOG.warning(() -> "HTTP/2 streams keep Vert.x's 1 024-slot queues (its internals changed): " + e);
    }
  }

  /** A private field of a Vert.x class: read only from an instance of that class; a setter even if final. */
  private record InternalField(Class<?> owner, MethodHandle getter, MethodHandle setter) {
    /** One that reads nothing (logged once) when the field is not there. */
    static InternalField of(String owner, String name) {
      try {
        Class<?> type = Class.forName(owner);
        Field field = type.getDeclaredField(name);
        field.setAccessible(true);
        MethodHandles.Lookup lookup = MethodHandles.lookup();
        return new InternalField(type, lookup.unreflectGetter(field), lookup.unreflectSetter(field));
      } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
        unreachable(e);
        return new InternalField(null, null, null);
      }
    }

    boolean found() {
      return owner != null;
    }

    /** The field's value, or null: no field, or {@code instance} is not of its class (an HTTP/1 request). */
    Object read(Object instance) {
      if (owner == null || !owner.isInstance(instance)) {
        return null;
      }
      try {
        return getter.invoke(instance);
      } catch (Throwable e) {
        unreachable(e);
        return null;
      }
    }
  }
}

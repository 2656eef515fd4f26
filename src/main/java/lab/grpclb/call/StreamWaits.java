package lab.grpclb.call;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The calls of one connection that wait for a stream (the server's streams limit reached), failed unprocessed when
 * the connection closes: Vert.x 5.0.7's connection (UnpooledHttpClientConnection) never fails the calls it queues,
 * so they would wait for their deadline. Only a call whose stream is not there at once is held here, and only until
 * it is: a listener per call on the connection's close would keep every call ever made (it ran a client out of heap
 * in a 100 000-call closed loop).
 */
public final class StreamWaits {
  static final String CLOSED = "connection closed while the call waited for a stream (the server's streams limit)";
  private final Set<Promise<?>> waiting = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  /** The connection closed: every call waiting for a stream fails, and any later one at once. */
  public void connectionClosed() {
    closed = true;
    waiting.forEach(wait -> wait.tryFail(CallFailure.unprocessed(CLOSED)));
    waiting.clear();
  }

  /** {@code stream}, or its failure if the connection closes first; a stream that comes later goes to {@code giveBack}. */
  <T> Future<T> guard(Future<T> stream, Consumer<T> giveBack) {
    if (stream.isComplete()) {
      return stream; // the usual case: a stream was free
    }
    Promise<T> first = Promise.promise();
    waiting.add(first);
    if (closed) {
      first.tryFail(CallFailure.unprocessed(CLOSED));
    }
    stream.onComplete(ar -> {
      waiting.remove(first);
      if (ar.failed()) {
        first.tryFail(ar.cause());
      } else if (!first.tryComplete(ar.result())) {
        giveBack.accept(ar.result());
      }
    });
    return first.future();
  }

  /** Calls waiting now (tests). */
  int size() {
    return waiting.size();
  }
}

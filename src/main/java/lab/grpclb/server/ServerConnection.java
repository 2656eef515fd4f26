package lab.grpclb.server;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpConnection;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import lab.grpclb.config.MaxConnectionAge;

/**
 * One accepted HTTP/2 connection: when it closes, its graceful GOAWAY, and its age limit (gRFC A9
 * MAX_CONNECTION_AGE). Past its age it is told to go away, its calls in flight get the grace time to finish,
 * then it closes. The age timer lives on the connection's own event loop.
 */
final class ServerConnection {
  private final Vertx vertx;
  private final HttpConnection connection;
  private final Context context;
  private final BooleanSupplier serverDraining;
  private final Runnable onAgedOut;
  private final long acceptedNanos = System.nanoTime();
  private final Promise<Void> closed = Promise.promise();
  /** On {@link #context} only. */
  private long ageTimer = -1;
  private boolean agedOut;

  ServerConnection(Vertx vertx, HttpConnection connection, Context context, BooleanSupplier serverDraining,
                   Runnable onAgedOut) {
    this.vertx = vertx;
    this.connection = connection;
    this.context = context;
    this.serverDraining = serverDraining;
    this.onAgedOut = onAgedOut;
  }

  void closed() {
    closed.tryComplete();
  }

  /**
   * Sends a GOAWAY naming the largest stream id, which announces the end without refusing any stream (RFC 9113
   * 6.8), then a PING. Calls the client sent before it saw the GOAWAY are on the wire; the PING's answer comes
   * after all of them (TCP keeps the order), so once it is back each one has arrived and is counted in flight.
   * gRPC's own graceful GOAWAY does the same. A PING whose connection closes first counts as answered (Vert.x
   * never completes it); none waits longer than {@code pingWaitMs}.
   */
  Future<Void> goAwayAndPing(long pingWaitMs) {
    connection.goAway(0, Integer.MAX_VALUE);
    return Future.any(connection.ping(Buffer.buffer(new byte[8])), closed.future())
        .timeout(Math.max(1, pingWaitMs), TimeUnit.MILLISECONDS).<Void>mapEmpty().otherwiseEmpty();
  }

  /** Applies an age limit (a new one replaces the old), counted from when the connection was accepted. */
  void limitAge(MaxConnectionAge limit) {
    context.runOnContext(v -> {
      if (ageTimer >= 0) {
        vertx.cancelTimer(ageTimer);
        ageTimer = -1;
      }
      if (limit.off() || agedOut || closed.future().isComplete()) {
        return;
      }
      long left = limit.jitteredAgeMs() - (System.nanoTime() - acceptedNanos) / 1_000_000;
      ageTimer = vertx.setTimer(Math.max(1, left), id -> ageOut(limit.graceMs()));
    });
  }

  /** GOAWAY and PING, then Netty's graceful close: it closes once no stream is active, or after the grace time. */
  private void ageOut(long graceMs) {
    ageTimer = -1;
    if (serverDraining.getAsBoolean() || closed.future().isComplete()) {
      return; // the drain says goodbye to every connection itself
    }
    agedOut = true;
    onAgedOut.run();
    goAwayAndPing(Math.min(graceMs, GreeterServer.PING_WAIT_MS))
        .onComplete(v -> connection.shutdown(graceMs, TimeUnit.MILLISECONDS));
  }
}

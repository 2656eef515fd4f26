package lab.grpclb.server;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerResponse;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import lab.grpclb.config.MaxConnectionAge;
import lab.grpclb.config.PingPolicy;

/**
 * One accepted HTTP/2 connection: when it closes, its graceful GOAWAY, its age limit (gRFC A9
 * MAX_CONNECTION_AGE) and its ping policing (gRFC A8). Past its age it is told to go away, its calls in flight get
 * the grace time to finish, then it closes; a client that pings too often is sent away at once. Both live on the
 * connection's own event loop.
 */
final class ServerConnection {
  /** HTTP/2's error code for a peer generating excessive load (RFC 9113 7). */
  static final long ENHANCE_YOUR_CALM = 0xB;
  static final String TOO_MANY_PINGS = "too_many_pings";
  /**
   * How long an aged connection waits for its PING's answer before its last GOAWAY: grpc-java's (Netty server's
   * GRACEFUL_SHUTDOWN_PING_TIMEOUT). A live client answers within milliseconds, but one whose event loop is busy (a
   * scale-up in local mode stalled 50 clients' loops for over a second) answers late, and the calls it wrote until
   * then are not ours to serve once the last GOAWAY is out. Not capped by the grace: that bounds the calls in flight,
   * and starts after this wait.
   */
  static final long AGE_PING_WAIT_MS = 10_000;

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
  private final PingEnforcer pings;
  /** When its latest SayHello arrived (System.nanoTime()); Long.MIN_VALUE before any. */
  private volatile long lastGreetingNanos = Long.MIN_VALUE;

  ServerConnection(Vertx vertx, HttpConnection connection, Context context, BooleanSupplier serverDraining,
                   Runnable onAgedOut, PingPolicy pingPolicy, Runnable onTooManyPings) {
    this.vertx = vertx;
    this.connection = connection;
    this.context = context;
    this.serverDraining = serverDraining;
    this.onAgedOut = onAgedOut;
    this.pings = new PingEnforcer(pingPolicy, System::nanoTime);
    try {
      connection.pingHandler(data -> {
        if (!pings.pingAcceptable()) {
          onTooManyPings.run();
          connection.goAway(ENHANCE_YOUR_CALM, -1, Buffer.buffer(TOO_MANY_PINGS)); // what grpc-java and grpc-go send
          connection.close();
        }
      });
    } catch (UnsupportedOperationException http1) {
      // an HTTP/1.x connection (a confused or hostile client: gRPC is HTTP/2 only) has no PINGs to police
    }
  }

  /** A call arrived on this connection; its reply's headers count as traffic for the ping policing. */
  void callStarted(HttpServerResponse response) {
    pings.callStarted();
    response.headersEndHandler(v -> pings.sent());
    boolean[] ended = new boolean[1];
    Handler<Void> end = v -> {
      if (!ended[0]) {
        ended[0] = true;
        pings.callEnded();
      }
    };
    response.endHandler(end);
    response.closeHandler(end);
  }

  /** A SayHello arrived on it (health watches and load reports do not count: every balancing client holds those). */
  void greeted() {
    lastGreetingNanos = System.nanoTime();
  }

  /** Whether a SayHello arrived on it since {@code nanos} (System.nanoTime()). */
  boolean greetedSince(long nanos) {
    long last = lastGreetingNanos;
    return last != Long.MIN_VALUE && last - nanos >= 0;
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

  /**
   * GOAWAY and PING; once the PING is answered (or after {@link #AGE_PING_WAIT_MS}), a second GOAWAY naming the last
   * stream this server took, then Netty's graceful close: it closes once no stream is active, or after the grace time.
   *
   * <p>The second GOAWAY is sent here because Netty's close sends none once a GOAWAY went out
   * ({@code Http2ConnectionHandler.close} writes an empty buffer when {@code goAwaySent()}). Without it the client is
   * never told which of its streams were taken: the connection just closes when the last active stream ends, and
   * streams the client wrote before it read the first GOAWAY die with it as "connection closed", or on a reset,
   * though the server never saw them. With it, the streams above the last-stream-id are ignored here (RFC 9113 6.8)
   * and the client knows it may send them again on a new connection (gRFC A6), as grpc-java's server does.
   */
  private void ageOut(long graceMs) {
    ageTimer = -1;
    if (serverDraining.getAsBoolean() || closed.future().isComplete()) {
      return; // the drain says goodbye to every connection itself
    }
    agedOut = true;
    onAgedOut.run();
    goAwayAndPing(AGE_PING_WAIT_MS).onComplete(v -> {
      if (!closed.future().isComplete()) {
        connection.goAway(0, -1); // -1: Vert.x names the last stream the client opened here
        connection.shutdown(graceMs, TimeUnit.MILLISECONDS);
      }
    });
  }
}

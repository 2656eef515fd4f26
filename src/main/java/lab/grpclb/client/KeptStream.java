package lab.grpclb.client;

import io.vertx.core.AsyncResult;
import io.vertx.grpc.common.ServiceMethod;
import java.util.function.Consumer;
import lab.grpclb.balance.ConnectionBackoff;
import lab.grpclb.balance.Scheduler;
import lab.grpclb.call.CallFailure;

/**
 * One server-streaming call kept open on a READY connection (a health Watch, an ORCA stream): the caller opens it
 * again after gRPC's backoff when the server ends it, counted from when it was opened and reset by every answer, so a
 * long-lived stream is reopened at once and one the server ends at once is asked about once a second, not in a hot
 * loop. News from a stream that a newer one or {@link #stop} superseded is dropped. On the connection's event loop.
 */
final class KeptStream {
  private final Scheduler scheduler;
  private final ConnectionBackoff backoff;
  private Transport.ServerStream stream;
  private long openedNanos;
  private Scheduler.Timer retry = Scheduler.Timer.NONE;
  /** Bumped by every open and every stop. */
  private int generation;

  KeptStream(Scheduler scheduler, ConnectionBackoff backoff) {
    this.scheduler = scheduler;
    this.backoff = backoff;
  }

  /**
   * Opens it on {@code transport}: {@code replies} hears each answer and {@code ended} its end (null when the server
   * ended it with OK), unless superseded meanwhile.
   */
  <Q, R> void open(Transport transport, ServiceMethod<R, Q> method, Q request, Consumer<R> replies,
                   Consumer<CallFailure> ended) {
    int current = ++generation;
    openedNanos = scheduler.nanoTime();
    Transport.ServerStream opened = transport.serverStream(method, request, reply -> {
      if (current == generation) {
        backoff.reset();
        replies.accept(reply);
      }
    });
    if (current == generation) { // not stopped by an answer already
      stream = opened;
    }
    opened.ended().onComplete(ar -> {
      if (current == generation) {
        stream = null;
        ended.accept(failure(ar));
      }
    });
  }

  /** After an end: {@code reopen} runs once the backoff has passed since the stream was opened; returns the wait. */
  long reopenAfterBackoff(Runnable reopen) {
    int current = generation;
    long delayMs = Math.max(0, backoff.nextDelayMs() - (scheduler.nanoTime() - openedNanos) / 1_000_000);
    retry = scheduler.schedule(delayMs, () -> {
      retry = Scheduler.Timer.NONE;
      if (current == generation) {
        reopen.run();
      }
    });
    return delayMs;
  }

  /** A new connection: the next stream goes at once, and its backoff starts over. */
  void resetBackoff() {
    backoff.reset();
  }

  /** Cancels the stream and a pending reopen; nothing more is reported. */
  void stop() {
    generation++;
    retry.cancel();
    retry = Scheduler.Timer.NONE;
    if (stream != null) {
      stream.cancel();
      stream = null;
    }
  }

  private static CallFailure failure(AsyncResult<Void> outcome) {
    return outcome.succeeded() ? null : CallFailure.of(outcome.cause());
  }
}

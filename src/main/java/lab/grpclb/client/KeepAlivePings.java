package lab.grpclb.client;

import io.vertx.core.Future;
import java.util.function.Consumer;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import lab.grpclb.balance.Scheduler;

/**
 * gRFC A8 on one READY connection: when it has received nothing for the keepalive time while calls are in flight,
 * it is sent a PING, and declared dead when no ACK comes within the timeout. A reply is a read, so a busy healthy
 * connection is never pinged; a silent one (a lost node, a frozen process, dropped packets) is found within time +
 * timeout instead of the kernel's 15 minutes of retransmissions. At most two PINGs go out between two replies
 * (grpc-core's max_pings_without_data): a stock gRPC server forgives two, and sends a third away with
 * {@code too_many_pings} unless it permits the rate. On the connection's event loop.
 */
final class KeepAlivePings {
  static final int MAX_PINGS_WITHOUT_DATA = 2;
  private final Scheduler scheduler;
  private final ClientKeepAlive settings;
  private final IntSupplier callsInFlight;
  private final LongSupplier lastReadNanos;
  private final Supplier<Future<Void>> ping;
  private final Consumer<String> dead;
  private final long startedNanos;
  private Scheduler.Timer timer = Scheduler.Timer.NONE;
  private boolean stopped;
  /** PINGs sent since the read at {@link #pingedSinceRead}: a new read starts the count again. */
  private int pingsWithoutData;
  private long pingedSinceRead;

  /**
   * {@code lastReadNanos} is when something last arrived (a call ended); {@code ping} sends one and completes on its
   * ACK; {@code dead} is told why the connection must be closed.
   */
  KeepAlivePings(Scheduler scheduler, ClientKeepAlive settings, IntSupplier callsInFlight, LongSupplier lastReadNanos,
                 Supplier<Future<Void>> ping, Consumer<String> dead) {
    this.scheduler = scheduler;
    this.settings = settings;
    this.callsInFlight = callsInFlight;
    this.lastReadNanos = lastReadNanos;
    this.ping = ping;
    this.dead = dead;
    this.startedNanos = scheduler.nanoTime();
    schedule(settings.timeMs());
  }

  void stop() {
    stopped = true;
    timer.cancel();
  }

  private void schedule(long delayMs) {
    if (!stopped) {
      timer = scheduler.schedule(delayMs, this::check);
    }
  }

  private void check() {
    long lastRead = Math.max(startedNanos, lastReadNanos.getAsLong());
    long quietMs = (scheduler.nanoTime() - lastRead) / 1_000_000;
    long timeMs = settings.timeMs();
    if (lastRead != pingedSinceRead) {
      pingedSinceRead = lastRead;
      pingsWithoutData = 0;
    }
    if (quietMs < timeMs) {
      schedule(timeMs - quietMs); // something arrived meanwhile: the connection is alive
    } else if (callsInFlight.getAsInt() == 0 && !settings.withoutCalls()) {
      schedule(timeMs); // idle: a stock server polices pings without calls (once per 2 hours)
    } else if (pingsWithoutData >= MAX_PINGS_WITHOUT_DATA) {
      schedule(timeMs); // it answered twice already: the next PING waits for a reply
    } else {
      pingsWithoutData++;
      sendPing();
    }
  }

  private void sendPing() {
    long timeoutMs = settings.timeoutMs();
    Scheduler.Timer deadline = scheduler.schedule(timeoutMs, () -> {
      if (!stopped) {
        stop();
        dead.accept("no PING ACK within " + timeoutMs + " ms (--keepalive-timeout-ms)");
      }
    });
    ping.get().onSuccess(ack -> {
      deadline.cancel();
      schedule(settings.timeMs());
    });
  }
}

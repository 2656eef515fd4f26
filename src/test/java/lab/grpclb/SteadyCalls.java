package lab.grpclb;

import experiment.Experiment.HelloReply;
import experiment.Experiment.HelloRequest;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import lab.grpclb.call.CallFailure;
import lab.grpclb.client.GreeterChannel;

/**
 * A closed loop for tests: a fixed number of callers, each sending its next call as soon as the last one ends,
 * from the channel's own event loop, until stopped. Counts replies per pod IP and failures per reason.
 */
public final class SteadyCalls {
  private static final HelloRequest HELLO = HelloRequest.newBuilder().setName("steady").build();

  private final GreeterChannel channel;
  private final Context context;
  private final Map<String, LongAdder> perIp = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> failures = new ConcurrentHashMap<>();
  private final Map<String, Long> lastReplyNanos = new ConcurrentHashMap<>();
  private final LongAdder ok = new LongAdder();
  private final AtomicInteger running = new AtomicInteger();
  private final Promise<Void> stopped = Promise.promise();
  private volatile boolean stopping;

  private SteadyCalls(Vertx vertx, GreeterChannel channel) {
    this.channel = channel;
    this.context = channel.preferredContext() != null ? channel.preferredContext() : vertx.getOrCreateContext();
  }

  public static SteadyCalls start(Vertx vertx, GreeterChannel channel, int callers) {
    SteadyCalls calls = new SteadyCalls(vertx, channel);
    calls.running.set(callers);
    calls.context.runOnContext(v -> {
      for (int i = 0; i < callers; i++) {
        calls.next();
      }
    });
    return calls;
  }

  private void next() {
    if (stopping) {
      if (running.decrementAndGet() == 0) {
        stopped.tryComplete();
      }
      return;
    }
    Future<HelloReply> call = channel.sayHello(HELLO);
    call.onComplete(ar -> {
      if (ar.succeeded()) {
        ok.increment();
        perIp.computeIfAbsent(ar.result().getIpAddress(), ip -> new LongAdder()).increment();
        lastReplyNanos.put(ar.result().getIpAddress(), System.nanoTime());
      } else {
        CallFailure failure = CallFailure.of(ar.cause());
        failures.computeIfAbsent(failure.status() + ": " + failure.reason(), r -> new LongAdder()).increment();
      }
      next();
    });
  }

  /** Stops sending and waits (on the JUnit thread) until every caller's last call has ended. */
  public SteadyCalls stop() throws Exception {
    stopping = true;
    stopped.future().await(30, TimeUnit.SECONDS);
    return this;
  }

  public long ok() {
    return ok.sum();
  }

  public long failed() {
    return failures.values().stream().mapToLong(LongAdder::sum).sum();
  }

  public long callsTo(String ip) {
    LongAdder count = perIp.get(ip);
    return count == null ? 0 : count.sum();
  }

  /** When the last reply from {@code ip} arrived (System.nanoTime), or 0 when none did. */
  public long lastReplyNanos(String ip) {
    return lastReplyNanos.getOrDefault(ip, 0L);
  }

  public java.util.Set<String> ips() {
    return java.util.Set.copyOf(perIp.keySet());
  }

  /** For assertion messages: the replies per IP and the failures per reason. */
  @Override
  public String toString() {
    return "ok " + ok() + " " + perIp + ", failed " + failed() + " " + failures;
  }
}

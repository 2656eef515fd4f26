package lab.grpclb.client;

import experiment.Experiment.HelloRequest;
import io.vertx.core.Promise;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * A closed loop on a channel, for tests: {@code concurrency} calls in flight at all times for {@code durationMs},
 * each call sent when one ends, from the channel's event loop. Answers the calls per pod IP, and failures
 * under "failed".
 */
final class ClosedLoopCalls {
  private ClosedLoopCalls() {
  }

  static Map<String, Integer> run(GreeterChannel channel, int concurrency, long durationMs) throws Exception {
    Promise<Map<String, Integer>> done = Promise.promise();
    channel.preferredContext().runOnContext(v -> {
      Map<String, Integer> counts = new TreeMap<>();
      long endNanos = System.nanoTime() + durationMs * 1_000_000;
      int[] running = {concurrency};
      for (int i = 0; i < concurrency; i++) {
        next(channel, counts, endNanos, () -> {
          if (--running[0] == 0) {
            done.complete(counts);
          }
        });
      }
    });
    return done.future().await(durationMs + 10_000, TimeUnit.MILLISECONDS);
  }

  private static void next(GreeterChannel channel, Map<String, Integer> counts, long endNanos, Runnable finished) {
    if (System.nanoTime() >= endNanos) {
      finished.run();
      return;
    }
    channel.sayHello(HelloRequest.newBuilder().setName("loop").build()).onComplete(ar -> {
      counts.merge(ar.succeeded() ? ar.result().getIpAddress() : "failed", 1, Integer::sum);
      next(channel, counts, endNanos, finished);
    });
  }
}

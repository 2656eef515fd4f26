package lab.grpclb.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import experiment.Experiment.HelloReply;
import experiment.Experiment.HelloRequest;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import lab.grpclb.Greeters;
import lab.grpclb.call.Cancellation;
import lab.grpclb.client.ForwardingChannel;
import lab.grpclb.client.SharedChannel;
import lab.grpclb.config.KeepAlive;
import lab.grpclb.server.GreeterServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A burst gives its event loop back every few slices, so the loop's timers run while the burst is still being
 * sent. The deadline sweep is such a timer: when slices were chained as tasks, Netty ran them all before it
 * looked at its timers again, and with a deadline shorter than the send a call failed when the whole burst had
 * been sent (a 100 ms deadline ended calls after 600 ms), not at its deadline.
 */
@ExtendWith(VertxExtension.class)
class BurstYieldTest {

  /** Counts the calls started, on the firer's event loop, where the runner starts them. */
  private static final class CountingChannel extends ForwardingChannel {
    private int started;

    CountingChannel(SharedChannel channel) {
      super(channel);
    }

    @Override
    public Future<HelloReply> sayHello(HelloRequest request, Cancellation cancellation) {
      started++;
      return channel.sayHello(request, cancellation);
    }
  }

  @Test
  void timersOnTheFiringEventLoopRunWhileABurstIsSent(Vertx vertx) throws Exception {
    GreeterServer greeter = Greeters.start(vertx, "127.0.0.18", 200);
    CountingChannel channel = new CountingChannel(new SharedChannel(vertx, Greeters.address(greeter), 10_000, 5_000, KeepAlive.OFF));
    FirerPool pool = FirerPool.deploy(vertx, 1).await(10, TimeUnit.SECONDS);
    int n = 64 * ExperimentRunner.SLICE; // well over the yield interval to send, even on a fast machine
    try {
      channel.warmUp().await(10, TimeUnit.SECONDS);
      Context loop = channel.preferredContext();
      List<Integer> seen = new ArrayList<>(); // touched only on loop
      Promise<Long> ticking = Promise.promise();
      loop.runOnContext(v -> ticking.complete(vertx.setPeriodic(1, id -> seen.add(channel.started))));
      long ticker = ticking.future().await(5, TimeUnit.SECONDS);
      ExperimentReport report = new ExperimentRunner(vertx, pool)
          .run(new ExperimentPlan("ClientWithReuseConn", n, n, null), channel).await(20, TimeUnit.SECONDS);
      Promise<List<Integer>> copied = Promise.promise();
      loop.runOnContext(v -> {
        vertx.cancelTimer(ticker);
        copied.complete(List.copyOf(seen));
      });
      List<Integer> counts = copied.future().await(5, TimeUnit.SECONDS);
      assertEquals(0, report.failed(), report.toString());
      assertTrue(counts.stream().anyMatch(started -> started > 0 && started < n),
          "a 1 ms timer on the firing loop saw only 'none sent' or 'all " + n + " sent' (send took "
              + report.sendMs() + " ms): " + counts.stream().distinct().toList());
    } finally {
      channel.close().await(5, TimeUnit.SECONDS);
      greeter.kill().await(5, TimeUnit.SECONDS);
    }
  }
}

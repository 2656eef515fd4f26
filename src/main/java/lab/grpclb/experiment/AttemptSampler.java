package lab.grpclb.experiment;

import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import lab.grpclb.client.GreeterChannel;

/**
 * Where a run's attempts went, second by second: the channel's attempts per pod IP, read once a second. A call's
 * reply or failure names only its last attempt's pod; this shows the attempts that went elsewhere first (into a
 * silent pod, say, before keepalive closed its connection and the call was retried). Empty for a channel that does
 * not count attempts. One reading a second: it costs the calls nothing.
 */
final class AttemptSampler {
  private static final long EVERY_MS = 1_000;

  private final Vertx vertx;
  private final GreeterChannel channel;
  private final List<Map<String, Integer>> seconds = new ArrayList<>();
  private Map<String, Long> last;
  private long timer = -1;

  AttemptSampler(Vertx vertx, GreeterChannel channel) {
    this.vertx = vertx;
    this.channel = channel;
  }

  /** Takes the first reading now, the run's start, and one at each whole second of the run after it. */
  synchronized void start() {
    last = channel.attemptsPerIp();
    timer = vertx.setPeriodic(EVERY_MS, id -> sample());
  }

  /** The last reading (the run's last, partial second) and the attempts per IP of each second, second 0 first. */
  synchronized List<Map<String, Integer>> stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
      sample();
    }
    return List.copyOf(seconds);
  }

  private synchronized void sample() {
    Map<String, Long> now = channel.attemptsPerIp();
    Map<String, Integer> second = new TreeMap<>();
    now.forEach((ip, total) -> {
      long before = last.getOrDefault(ip, 0L);
      // a count below the last is a new connection's for a pod that left and came back: it counts from 0
      long sent = total >= before ? total - before : total;
      if (sent > 0) {
        second.put(ip, (int) sent);
      }
    });
    seconds.add(second);
    last = new HashMap<>(now);
  }
}

package lab.grpclb.experiment;

import experiment.Experiment.HelloReply;
import io.vertx.core.AsyncResult;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import lab.grpclb.call.CallFailure;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.IntCountsHistogram;

/**
 * The outcome of the calls one firer sent, in bounded memory: HdrHistograms instead of one entry per call, so a
 * million calls or a 10-minute open loop cost the same few hundred kilobytes. Touched only on that firer's event
 * loop, so it needs no locks; the tallies are merged once every call has ended.
 */
final class RunTally {
  /** Latencies in microseconds to 3 significant digits (0.1 %), resized as larger values arrive. */
  static final int DIGITS = 3;
  /** The per-second timeline keeps milliseconds to 2 digits (1 %): one small histogram per second of run. */
  private static final int SECOND_DIGITS = 2;

  private final long startNanos;
  final Histogram latencyMicros = new Histogram(DIGITS);
  /** Replies only, what a latency objective counts (a fast failure meets none); kept only when one was asked. */
  final Histogram okMicros;
  final Histogram scheduleLagMicros = new Histogram(DIGITS);
  final Map<String, EndpointTally> endpoints = new HashMap<>();
  final Map<String, Integer> errors = new HashMap<>();
  final List<SecondTally> seconds = new ArrayList<>();
  int ok;
  int failed;
  int sent;
  long firstSentNanos = Long.MAX_VALUE;
  long lastSentNanos = Long.MIN_VALUE;

  /** The calls that ended at one pod: its count of replies, its failures, and the latency of both. */
  static final class EndpointTally {
    final Histogram latencyMicros = new Histogram(DIGITS);
    int ok;
    int errors;
  }

  /** The calls that ended in one second of the run, and those sent in it by where they went. */
  static final class SecondTally {
    final IntCountsHistogram latencyMillis = new IntCountsHistogram(SECOND_DIGITS);
    final Map<String, int[]> okPerIp = new HashMap<>();
    /** Calls sent in this second, by the pod that replied or the endpoint a failure names (known once they end). */
    final Map<String, int[]> sentPerIp = new HashMap<>();
    int completed;
    int failed;
  }

  RunTally(long startNanos) {
    this(startNanos, false);
  }

  RunTally(long startNanos, boolean objective) {
    this.startNanos = startNanos;
    this.okMicros = objective ? new Histogram(DIGITS) : null;
  }

  void sent(long nanos) {
    sent++;
    firstSentNanos = Math.min(firstSentNanos, nanos);
    lastSentNanos = Math.max(lastSentNanos, nanos);
  }

  /** An open loop's call left {@code lagNanos} after its slot in the schedule. */
  void lagged(long lagNanos) {
    scheduleLagMicros.recordValue(Math.max(0, lagNanos / 1_000));
  }

  void record(AsyncResult<HelloReply> result, long sentNanos, long endNanos) {
    long micros = Math.max(0, (endNanos - sentNanos) / 1_000);
    latencyMicros.recordValue(micros);
    SecondTally second = second(endNanos);
    second.completed++;
    second.latencyMillis.recordValue(micros / 1_000);
    if (result.succeeded()) {
      ok++;
      if (okMicros != null) {
        okMicros.recordValue(micros);
      }
      String ip = result.result().getIpAddress();
      EndpointTally endpoint = endpoints.computeIfAbsent(ip, k -> new EndpointTally());
      endpoint.ok++;
      endpoint.latencyMicros.recordValue(micros);
      second.okPerIp.computeIfAbsent(ip, k -> new int[1])[0]++;
      sentTo(ip, sentNanos);
    } else {
      failed++;
      second.failed++;
      CallFailure failure = CallFailure.of(result.cause());
      errors.merge(failure.getMessage(), 1, Integer::sum);
      if (failure.endpoint() != null) {
        EndpointTally endpoint = endpoints.computeIfAbsent(failure.endpoint(), k -> new EndpointTally());
        endpoint.errors++;
        endpoint.latencyMicros.recordValue(micros);
        sentTo(failure.endpoint(), sentNanos);
      }
    }
  }

  /** Where calls go each second, failed ones too: the timeline a pod that never answers shows in. */
  private void sentTo(String ip, long sentNanos) {
    second(sentNanos).sentPerIp.computeIfAbsent(ip, k -> new int[1])[0]++;
  }

  /** Calls that never got an outcome (never sent, or abandoned): failed with the given reason, no latency. */
  void cancelled(int count, String reason) {
    if (count > 0) {
      failed += count;
      errors.merge(reason, count, Integer::sum);
    }
  }

  private SecondTally second(long endNanos) {
    int index = (int) Math.max(0, (endNanos - startNanos) / 1_000_000_000L);
    while (seconds.size() <= index) {
      seconds.add(new SecondTally());
    }
    return seconds.get(index);
  }

  /** Replies within {@code micros} (to the histogram's precision). */
  int okWithin(long micros) {
    return (int) okMicros.getCountBetweenValues(0, micros);
  }

  /** All parts in one tally (the parts share the run's start). */
  static RunTally merge(long startNanos, RunTally[] parts) {
    RunTally all = new RunTally(startNanos, parts.length > 0 && parts[0].okMicros != null);
    for (RunTally part : parts) {
      all.latencyMicros.add(part.latencyMicros);
      if (all.okMicros != null) {
        all.okMicros.add(part.okMicros);
      }
      all.scheduleLagMicros.add(part.scheduleLagMicros);
      all.ok += part.ok;
      all.failed += part.failed;
      all.sent += part.sent;
      all.firstSentNanos = Math.min(all.firstSentNanos, part.firstSentNanos);
      all.lastSentNanos = Math.max(all.lastSentNanos, part.lastSentNanos);
      part.errors.forEach((e, c) -> all.errors.merge(e, c, Integer::sum));
      part.endpoints.forEach((ip, tally) -> {
        EndpointTally sum = all.endpoints.computeIfAbsent(ip, k -> new EndpointTally());
        sum.ok += tally.ok;
        sum.errors += tally.errors;
        sum.latencyMicros.add(tally.latencyMicros);
      });
      for (int i = 0; i < part.seconds.size(); i++) {
        SecondTally from = part.seconds.get(i);
        SecondTally to = all.second(startNanos + i * 1_000_000_000L);
        to.completed += from.completed;
        to.failed += from.failed;
        to.latencyMillis.add(from.latencyMillis);
        from.okPerIp.forEach((ip, c) -> to.okPerIp.computeIfAbsent(ip, k -> new int[1])[0] += c[0]);
        from.sentPerIp.forEach((ip, c) -> to.sentPerIp.computeIfAbsent(ip, k -> new int[1])[0] += c[0]);
      }
    }
    return all;
  }
}

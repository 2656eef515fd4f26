package lab.grpclb.client;

import static lab.grpclb.balance.ConnectivityState.CONNECTING;
import static lab.grpclb.balance.ConnectivityState.IDLE;
import static lab.grpclb.balance.ConnectivityState.READY;
import static lab.grpclb.balance.ConnectivityState.TRANSIENT_FAILURE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.common.ServiceMethod;
import io.vertx.grpc.health.v1.HealthCheckResponse;
import io.vertx.grpc.health.v1.HealthCheckResponse.ServingStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import lab.grpclb.balance.ConnectionBackoff;
import lab.grpclb.balance.ConnectivityState;
import lab.grpclb.balance.EndpointLoad;
import lab.grpclb.balance.FakeClock;
import lab.grpclb.call.CallFailure;
import lab.grpclb.balance.LoadReport;
import lab.grpclb.balance.Subchannel.LoadReportListener;
import lab.grpclb.call.CallOptions;
import lab.grpclb.call.Cancellation;
import lab.grpclb.config.HealthCheck;
import lab.grpclb.config.KeepAlive;
import orca.data.v3.OrcaLoadReport;
import orca.service.v3.OrcaLoadReportRequest;
import org.junit.jupiter.api.Test;

/**
 * One endpoint's connection state machine with a fake connector and a fake clock (grpc-java tests its subchannels
 * so): sticky TRANSIENT_FAILURE, gRPC's backoff schedule, the handshake timeout, and a dropped connection. Backoff
 * jitter is pinned to none, so the schedule is exactly 1 s, 1.6 s, 2.56 s...
 */
class EndpointConnectionTest {
  static final long CONNECT_TIMEOUT_MS = 20_000;
  final FakeClock clock = new FakeClock();
  final List<FakeAttempt> attempts = new ArrayList<>();
  final List<ConnectivityState> reported = new ArrayList<>();
  final EndpointConnection connection = connection(KeepAlive.OFF);

  EndpointConnection connection(KeepAlive keepAlive) {
    return new EndpointConnection(null, clock, this::connect, SocketAddress.inetSocketAddress(50051, "10.0.0.1"),
        CONNECT_TIMEOUT_MS, 5_000, new ConnectionBackoff(() -> 0.5), new ClientKeepAlive(keepAlive),
        new EndpointLoad(10_000, 30, clock), HealthCheck.OFF);
  }

  /** A connection whose replies and PING ACKs the test holds back, as a pod that went silent does. */
  /** A call's options where the test needs none in particular. */
  static final CallOptions PLAIN = new CallOptions(Long.MAX_VALUE, "no deadline in this test", Cancellation.NEVER);

  static final class FakeTransport implements Transport {
    boolean silent;
    boolean closed;
    int pings;
    final List<Promise<Object>> held = new ArrayList<>();
    /** Per call, whether it was asked to read the pod's load report from its trailers. */
    final List<Boolean> readsLoadReport = new ArrayList<>();
    /** The server-streaming calls opened on it (health Watches), which the test answers and ends. */
    final List<FakeStream> streams = new ArrayList<>();

    @Override
    @SuppressWarnings("unchecked")
    public <Q, R> Future<R> call(ServiceMethod<R, Q> method, Q request, CallOptions options,
                                 LoadReportListener loadReports) {
      readsLoadReport.add(loadReports != null);
      if (!silent) {
        return Future.succeededFuture((R) request);
      }
      Promise<Object> reply = Promise.promise();
      held.add(reply);
      return (Future<R>) reply.future();
    }

    @Override
    @SuppressWarnings("unchecked")
    public <Q, R> ServerStream serverStream(ServiceMethod<R, Q> method, Q request, Consumer<R> replies) {
      FakeStream stream = new FakeStream(request, (Consumer<Object>) replies);
      streams.add(stream);
      return stream;
    }

    FakeStream lastStream() {
      return streams.get(streams.size() - 1);
    }

    @Override
    public Future<Void> drain(long timeoutMs) {
      return close();
    }

    @Override
    public Future<Void> ping() {
      pings++;
      return silent ? Promise.<Void>promise().future() : Future.succeededFuture();
    }

    @Override
    public Future<Void> close() {
      closed = true;
      held.forEach(reply -> reply.tryFail(CallFailure.of(new io.vertx.core.http.HttpClosedException("closed"))));
      return Future.succeededFuture();
    }
  }

  /** A server-streaming call: the test sends its replies and ends it as the server would. */
  static final class FakeStream implements Transport.ServerStream {
    final Object request;
    final Consumer<Object> replies;
    final Promise<Void> ended = Promise.promise();
    boolean cancelled;

    FakeStream(Object request, Consumer<Object> replies) {
      this.request = request;
      this.replies = replies;
    }

    void reply(Object message) {
      replies.accept(message);
    }

    void end(GrpcStatus status) {
      if (status == GrpcStatus.OK) {
        ended.tryComplete();
      } else {
        ended.tryFail(new CallFailure(status, "server answered " + status.name()));
      }
    }

    @Override
    public Future<Void> ended() {
      return ended.future();
    }

    @Override
    public void cancel() {
      cancelled = true;
      end(GrpcStatus.CANCELLED);
    }
  }

  /** A connection attempt the test completes, and when it was made. */
  final class FakeAttempt implements Connector.Attempt {
    final long startedMs = clock.nanoTime() / 1_000_000;
    final Promise<Transport> outcome = Promise.promise();
    final Transport.Events listener;
    boolean abandoned;

    FakeAttempt(Transport.Events listener) {
      this.listener = listener;
    }

    @Override
    public Future<Transport> transport() {
      return outcome.future();
    }

    @Override
    public void abandon() {
      abandoned = true;
      outcome.tryFail(CallFailure.unprocessed("abandoned"));
    }

    void refuse() {
      outcome.fail(CallFailure.connectFailed(new java.net.ConnectException("Connection refused")));
    }

    final FakeTransport transport = new FakeTransport();

    void succeed() {
      outcome.complete(transport);
    }
  }

  Connector.Attempt connect(Transport.Events listener) {
    FakeAttempt attempt = new FakeAttempt(listener);
    attempts.add(attempt);
    return attempt;
  }

  FakeAttempt last() {
    return attempts.get(attempts.size() - 1);
  }

  void start() {
    start(connection);
  }

  void start(EndpointConnection started) {
    started.start((state, error) -> reported.add(state));
    started.requestConnection();
  }

  @Test
  void aFailedAttemptIsStickyUntilOneSucceeds() {
    start();
    last().refuse();
    clock.advanceMs(1_000);
    assertEquals(2, attempts.size(), "tried again after the backoff");
    assertEquals(TRANSIENT_FAILURE, connection.state(), "not CONNECTING: the endpoint is not usable yet");
    last().refuse();
    assertEquals(List.of(CONNECTING, TRANSIENT_FAILURE), reported, "no flapping, no repeated report");
    clock.advanceMs(1_600);
    last().succeed();
    assertEquals(List.of(CONNECTING, TRANSIENT_FAILURE, READY), reported);
    assertEquals(null, connection.health().lastError());
  }

  @Test
  void aConnectionResetsTheBackoffAndADroppedOneWaitsToBeAskedAgain() {
    start();
    last().refuse();
    clock.advanceMs(1_000);
    last().refuse();
    clock.advanceMs(1_600);
    assertEquals("connect failed: Connection refused", connection.health().lastError());
    last().succeed();
    last().listener.gone("GOAWAY from the server");
    assertEquals(IDLE, connection.state());
    assertEquals("GOAWAY from the server", connection.health().lastError());
    assertEquals(3, attempts.size(), "IDLE: the owner decides when to connect again");
    connection.requestConnection();
    long before = last().startedMs;
    last().refuse();
    clock.advanceMs(1_000);
    assertEquals(1_000, last().startedMs - before, "READY reset the backoff to its first step");
  }

  @Test
  void theBackoffDelaysAreOnePointSixTimesLongerEachUpToTwoMinutes() {
    start();
    List<Long> delays = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      long before = last().startedMs;
      last().refuse();
      int made = attempts.size();
      while (attempts.size() == made) {
        clock.advanceMs(1);
      }
      delays.add(last().startedMs - before);
    }
    assertEquals(List.of(1_000L, 1_600L, 2_560L, 4_096L, 6_554L, 10_486L, 16_777L, 26_844L, 42_950L, 68_719L,
        109_951L, 120_000L), delays);
  }

  @Test
  void aHandshakeThatNeverCompletesFailsAtTheConnectTimeoutAndIsAbandoned() {
    start();
    clock.advanceMs(CONNECT_TIMEOUT_MS - 1);
    assertEquals(CONNECTING, connection.state());
    clock.advanceMs(1);
    assertEquals(TRANSIENT_FAILURE, connection.state());
    assertTrue(attempts.get(0).abandoned, "its half-open socket is freed");
    assertEquals("no HTTP/2 handshake within 20000 ms (--connect-timeout-ms)", connection.health().lastError());
  }

  @Test
  void aCallIsSentOnlyWhileReadyAndCountedInTheLoad() {
    start();
    Future<String> early = connection.call(null, "hello", PLAIN);
    assertTrue(CallFailure.of(early.cause()).unprocessed(), "not sent: another endpoint may take it");
    last().succeed();
    assertEquals("hello", connection.call(null, "hello", PLAIN).result());
    assertEquals(0, connection.load().inFlight());
    assertFalse(connection.outliers().ejected());
  }

  @Test
  void aConnectionThatStopsAnsweringIsFoundByItsPingsAndItsEndpointFails() {
    EndpointConnection pinged = connection(new KeepAlive(10_000, 5_000, false));
    start(pinged);
    last().succeed();
    FakeTransport transport = last().transport;
    transport.silent = true; // the pod's node is gone: nothing comes back, not even a RST
    Future<String> stuck = pinged.call(null, "hello", PLAIN);
    clock.advanceMs(10_000);
    assertEquals(1, transport.pings, "nothing received for the keepalive time while a call waits: a PING");
    clock.advanceMs(4_999);
    assertEquals(READY, pinged.state());
    clock.advanceMs(1);
    assertEquals(TRANSIENT_FAILURE, pinged.state(), "no ACK within the timeout");
    assertEquals("no PING ACK within 5000 ms (--keepalive-timeout-ms)", pinged.health().lastError());
    assertTrue(transport.closed);
    assertTrue(CallFailure.of(stuck.cause()).transportFailure(), "its call fails now, for a retry elsewhere: "
        + stuck.cause());
    pinged.resetBackoff(); // as an experiment's warm-up does
    assertEquals(2, attempts.size(), "like a failed attempt, its backoff can be skipped");
  }

  /**
   * Hedged calls into a silent pod are cancelled one after another when their hedges win elsewhere: those ends are
   * ours, not the pod's, and keepalive still finds it (once, it counted any end as a read and never pinged).
   */
  @Test
  void attemptsWeCancelAreNotReadsAndTheSilentPodIsStillFound() {
    EndpointConnection pinged = connection(new KeepAlive(10_000, 5_000, false));
    start(pinged);
    last().succeed();
    FakeTransport transport = last().transport;
    transport.silent = true;
    for (int i = 0; i < 15; i++) {
      pinged.call(null, "hedged", PLAIN);
      clock.advanceMs(1_000);
      transport.held.get(i).tryFail(new CallFailure(GrpcStatus.CANCELLED, "answered by another attempt"));
    }
    assertEquals(1, transport.pings, "pinged at 10 s, whatever ended meanwhile");
    assertEquals(TRANSIENT_FAILURE, pinged.state(), "and given up 5 s later: " + pinged.health().lastError());
  }

  @Test
  void aConnectionWithRepliesOrWithoutCallsIsNotPinged() {
    EndpointConnection pinged = connection(new KeepAlive(10_000, 5_000, false));
    start(pinged);
    last().succeed();
    FakeTransport transport = last().transport;
    clock.advanceMs(60_000);
    assertEquals(0, transport.pings, "no call in flight: gRPC's servers police pings on idle connections");
    for (int i = 0; i < 30; i++) {
      pinged.call(null, "hello", PLAIN); // answered at once: a read
      clock.advanceMs(1_000);
    }
    assertEquals(0, transport.pings, "replies keep arriving: the connection is alive");
    assertEquals(READY, pinged.state());
  }

  @Test
  void aServerThatSaysTooManyPingsMakesTheChannelPingHalfAsOften() {
    ClientKeepAlive keepAlive = new ClientKeepAlive(new KeepAlive(10_000, 5_000, true));
    EndpointConnection pinged = new EndpointConnection(null, clock, this::connect,
        SocketAddress.inetSocketAddress(50051, "10.0.0.1"), CONNECT_TIMEOUT_MS, 5_000, new ConnectionBackoff(() -> 0.5),
        keepAlive, new EndpointLoad(10_000, 30, clock), HealthCheck.OFF);
    start(pinged);
    last().succeed();
    last().listener.tooManyPings();
    last().listener.gone("GOAWAY ENHANCE_YOUR_CALM too_many_pings from the server");
    assertEquals(20_000, keepAlive.timeMs());
    assertEquals(IDLE, pinged.state(), "sent away: a new connection, pinged half as often");
    pinged.requestConnection();
    last().succeed();
    clock.advanceMs(19_999);
    assertEquals(0, last().transport.pings);
    clock.advanceMs(1);
    assertEquals(1, last().transport.pings);
  }

  EndpointConnection healthChecked() {
    return new EndpointConnection(null, clock, this::connect, SocketAddress.inetSocketAddress(50051, "10.0.0.1"),
        CONNECT_TIMEOUT_MS, 5_000, new ConnectionBackoff(() -> 0.5), new ClientKeepAlive(KeepAlive.OFF),
        new EndpointLoad(10_000, 30, clock), new HealthCheck("experiment.Greeter"));
  }

  @Test
  void withHealthCheckingAnEndpointIsPickedOnlyWhileItsPodSaysServingAndKeepsItsConnection() {
    List<String> errors = new ArrayList<>();
    EndpointConnection checked = healthChecked();
    checked.start((state, error) -> {
      reported.add(state);
      errors.add(error);
    });
    checked.requestConnection();
    last().succeed();
    FakeTransport transport = last().transport;
    assertEquals(List.of(CONNECTING), reported, "READY, but not picked before its pod answers (gRFC A17)");
    assertEquals(HealthStatus.PENDING, checked.health().serving());
    transport.lastStream().reply(serving(false));
    assertEquals(List.of(CONNECTING, TRANSIENT_FAILURE), reported);
    assertEquals("health NOT_SERVING (grpc.health.v1 Watch 'experiment.Greeter')", errors.get(1));
    assertEquals(READY, checked.state(), "the connection stays up");
    assertFalse(transport.closed);
    assertEquals(1, checked.connectionsOpened());
    assertEquals("hello", checked.call(null, "hello", PLAIN).result(), "a call already picked still goes");
    transport.lastStream().reply(serving(true));
    assertEquals(List.of(CONNECTING, TRANSIENT_FAILURE, READY), reported);
    assertEquals(HealthStatus.SERVING, checked.health().serving());
    last().listener.gone("GOAWAY from the server");
    assertTrue(transport.lastStream().cancelled, "the Watch goes with its connection");
    assertEquals(List.of(CONNECTING, TRANSIENT_FAILURE, READY, IDLE), reported);
    assertEquals(null, checked.health().serving(), "no connection, no health");
  }

  @Test
  void aDrainCancelsTheHealthWatchSoThatItWaitsOnlyForCalls() {
    EndpointConnection checked = healthChecked();
    start(checked);
    last().succeed();
    last().transport.lastStream().reply(serving(true));
    checked.drain();
    assertTrue(last().transport.lastStream().cancelled);
    assertTrue(checked.closed().succeeded());
  }

  @Test
  void outOfBandLoadReportsStreamWhileReadyAndAPeriodIsAskedFor() {
    List<LoadReport> heard = new ArrayList<>();
    connection.setLoadReportListener(heard::add);
    connection.requestOobReports(2_500);
    start();
    last().succeed();
    FakeStream stream = last().transport.lastStream();
    assertEquals(2, ((OrcaLoadReportRequest) stream.request).getReportInterval().getSeconds());
    assertEquals(500_000_000, ((OrcaLoadReportRequest) stream.request).getReportInterval().getNanos());
    stream.reply(OrcaLoadReport.newBuilder().setCpuUtilization(0.25).setApplicationUtilization(0.5)
        .setRpsFractional(100).setEps(2).build());
    assertEquals(List.of(new LoadReport(0.25, 0.5, 100, 2)), heard);

    connection.requestOobReports(1_000);
    assertTrue(stream.cancelled, "a new period needs a new stream (A51)");
    FakeStream again = last().transport.lastStream();
    assertEquals(1, ((OrcaLoadReportRequest) again.request).getReportInterval().getSeconds());
    again.end(GrpcStatus.UNAVAILABLE);
    clock.advanceMs(1_200); // gRPC's first backoff, 1 s with 20 % jitter
    FakeStream reopened = last().transport.lastStream();
    assertFalse(reopened == again, "a stream the pod ended is opened again after the backoff");

    last().listener.gone("GOAWAY from the server");
    assertTrue(reopened.cancelled, "the stream goes with its connection");
    int streams = last().transport.streams.size();
    connection.requestOobReports(0);
    assertEquals(streams, last().transport.streams.size(), "period 0: none asked for");
  }

  @Test
  void perCallLoadReportsAreReadOnlyForCallsThatWantThemAndNotWhileOutOfBandIsAsked() {
    connection.setLoadReportListener(report -> { });
    start();
    last().succeed();
    connection.call(null, "a", PLAIN);
    connection.call(null, "b", PLAIN.withLoadReport(true));
    connection.requestOobReports(1_000);
    connection.call(null, "c", PLAIN.withLoadReport(true));
    assertEquals(List.of(false, true, false), last().transport.readsLoadReport,
        "a round_robin call reads none; a weighted one does, until out-of-band reports replace them (A58)");
  }

  @Test
  void aPodWithoutOpenRcaServiceIsNotAskedAgainOnThatConnection() {
    connection.requestOobReports(1_000);
    start();
    last().succeed();
    last().transport.lastStream().end(GrpcStatus.UNIMPLEMENTED);
    clock.advanceMs(120_000);
    assertEquals(1, last().transport.streams.size());
  }

  static HealthCheckResponse serving(boolean serving) {
    return HealthCheckResponse.newBuilder().setStatus(serving ? ServingStatus.SERVING : ServingStatus.NOT_SERVING)
        .build();
  }
}

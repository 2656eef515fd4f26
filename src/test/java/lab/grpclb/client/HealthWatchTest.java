package lab.grpclb.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.health.v1.HealthCheckRequest;
import io.vertx.grpc.health.v1.HealthCheckResponse;
import io.vertx.grpc.health.v1.HealthCheckResponse.ServingStatus;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import lab.grpclb.LogLines;
import lab.grpclb.balance.ConnectionBackoff;
import lab.grpclb.balance.ConnectivityState;
import lab.grpclb.balance.FakeClock;
import lab.grpclb.client.EndpointConnectionTest.FakeStream;
import lab.grpclb.client.EndpointConnectionTest.FakeTransport;
import lab.grpclb.config.HealthCheck;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * gRFC A17 on one endpoint, with a fake connection and a fake clock: what each answer of the Watch makes of the
 * endpoint, UNIMPLEMENTED, a Watch the server ends, and a stop. Backoff jitter is pinned to none.
 */
class HealthWatchTest {
  static final String GREETER = "experiment.Greeter";
  final FakeClock clock = new FakeClock();
  final FakeTransport transport = new FakeTransport();
  final List<HealthStatus> changes = new CopyOnWriteArrayList<>();
  final LogLines logs = LogLines.start(HealthWatch.class.getName());
  final HealthWatch watch = watch(new HealthCheck(GREETER));

  @AfterEach
  void stopLogs() {
    logs.close();
  }

  HealthWatch watch(HealthCheck check) {
    HealthWatch[] made = new HealthWatch[1];
    made[0] = new HealthWatch(clock, check, "10.0.0.1:50051", new ConnectionBackoff(() -> 0.5),
        () -> changes.add(made[0].status()));
    return made[0];
  }

  static HealthCheckResponse answer(ServingStatus status) {
    return HealthCheckResponse.newBuilder().setStatus(status).build();
  }

  FakeStream stream() {
    return transport.lastStream();
  }

  @Test
  void aReadyConnectionIsNotPickedUntilItsPodAnswersServing() {
    watch.start(transport);
    assertEquals(1, transport.streams.size(), "one Watch per READY connection");
    assertEquals(GREETER, ((HealthCheckRequest) stream().request).getService());
    assertEquals(HealthStatus.PENDING, watch.status());
    assertEquals(ConnectivityState.CONNECTING, watch.seenAs(ConnectivityState.READY), "A17: CONNECTING until answered");
    stream().reply(answer(ServingStatus.SERVING));
    assertEquals(ConnectivityState.READY, watch.seenAs(ConnectivityState.READY));
    assertEquals(ConnectivityState.IDLE, watch.seenAs(ConnectivityState.IDLE), "health gates READY only");
    assertEquals(List.of(HealthStatus.SERVING), changes);
    assertNull(watch.error());
  }

  @Test
  void notServingTakesTheEndpointOutOnTheSameStreamAndServingBringsItBack() {
    watch.start(transport);
    stream().reply(answer(ServingStatus.SERVING));
    stream().reply(answer(ServingStatus.NOT_SERVING));
    assertEquals(ConnectivityState.TRANSIENT_FAILURE, watch.seenAs(ConnectivityState.READY));
    assertEquals("health NOT_SERVING (grpc.health.v1 Watch 'experiment.Greeter')", watch.error());
    assertFalse(stream().cancelled, "the Watch and its connection stay open");
    stream().reply(answer(ServingStatus.SERVICE_UNKNOWN));
    assertEquals(HealthStatus.SERVICE_UNKNOWN, watch.status());
    stream().reply(answer(ServingStatus.UNKNOWN));
    assertEquals(ConnectivityState.TRANSIENT_FAILURE, watch.seenAs(ConnectivityState.READY));
    stream().reply(answer(ServingStatus.SERVING));
    assertEquals(ConnectivityState.READY, watch.seenAs(ConnectivityState.READY));
    assertEquals(List.of(HealthStatus.SERVING, HealthStatus.NOT_SERVING, HealthStatus.SERVICE_UNKNOWN,
        HealthStatus.UNKNOWN, HealthStatus.SERVING), changes);
    assertEquals(1, transport.streams.size());
    assertEquals(2, logs.lines().size(), "one line out, one line back: " + logs.lines());
  }

  @Test
  void aPodWithoutTheHealthServiceIsHealthyAndSaidSoOncePerEndpoint() {
    watch.start(transport);
    stream().end(GrpcStatus.UNIMPLEMENTED);
    assertEquals(HealthStatus.UNIMPLEMENTED, watch.status());
    assertEquals(ConnectivityState.READY, watch.seenAs(ConnectivityState.READY));
    clock.advanceMs(600_000);
    assertEquals(1, transport.streams.size(), "A17: UNIMPLEMENTED is never retried on that connection");
    FakeTransport next = new FakeTransport(); // a new connection to the same endpoint
    watch.start(next);
    assertEquals(HealthStatus.PENDING, watch.status(), "a new connection asks again");
    next.lastStream().end(GrpcStatus.UNIMPLEMENTED);
    assertEquals(HealthStatus.UNIMPLEMENTED, watch.status());
    assertEquals(1, logs.containing("UNIMPLEMENTED").size(), logs.lines().toString());
  }

  @Test
  void aWatchTheServerEndsIsOpenedAgainWithBackoffAndLeavesTheEndpointOutMeanwhile() {
    watch.start(transport);
    stream().end(GrpcStatus.OK);
    assertEquals(HealthStatus.WATCH_ENDED, watch.status());
    assertEquals(ConnectivityState.TRANSIENT_FAILURE, watch.seenAs(ConnectivityState.READY));
    assertEquals("health Watch 'experiment.Greeter' ended (the server ended it with OK); again in 1000 ms",
        watch.error());
    clock.advanceMs(999);
    assertEquals(1, transport.streams.size());
    clock.advanceMs(1);
    assertEquals(2, transport.streams.size(), "gRPC's backoff: 1 s");
    stream().end(GrpcStatus.UNAVAILABLE);
    clock.advanceMs(1_599);
    assertEquals(2, transport.streams.size());
    clock.advanceMs(1);
    assertEquals(3, transport.streams.size(), "then 1.6 s");
    assertEquals(HealthStatus.WATCH_ENDED, watch.status(), "out until a Watch answers");
    stream().reply(answer(ServingStatus.SERVING));
    assertEquals(HealthStatus.SERVING, watch.status());
    clock.advanceMs(5_000);
    stream().end(GrpcStatus.OK); // it answered, and lived longer than the first step: reopened at once
    clock.advanceMs(1);
    assertEquals(4, transport.streams.size());
    stream().end(GrpcStatus.OK); // ends at once without answering: the backoff, started again by the answer
    clock.advanceMs(1_599);
    assertEquals(4, transport.streams.size());
    clock.advanceMs(1);
    assertEquals(5, transport.streams.size());
  }

  @Test
  void stoppingCancelsTheWatchAndItsRetryAndNothingLateCounts() {
    watch.start(transport);
    FakeStream first = stream();
    watch.stop();
    assertTrue(first.cancelled, "the connection drops or drains: its Watch is cancelled");
    first.reply(answer(ServingStatus.NOT_SERVING));
    assertEquals(List.of(), changes, "nothing from a stopped Watch");
    watch.start(transport);
    stream().end(GrpcStatus.OK);
    changes.clear();
    watch.stop();
    assertEquals(0, clock.pendingTimers(), "its retry is cancelled");
    clock.advanceMs(10_000);
    assertEquals(2, transport.streams.size());
    assertEquals(List.of(), changes);
  }

  @Test
  void withHealthCheckingOffAReadyConnectionIsPickedAndNothingIsWatched() {
    HealthWatch off = watch(HealthCheck.OFF);
    off.start(transport);
    assertEquals(HealthStatus.OFF, off.status());
    assertEquals(ConnectivityState.READY, off.seenAs(ConnectivityState.READY));
    assertEquals(0, transport.streams.size());
  }
}

package lab.grpclb.call;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a connection holds of the calls waiting for a stream: only those waiting, and only while they wait. */
class StreamWaitsTest {
  final StreamWaits waits = new StreamWaits();
  final List<String> givenBack = new ArrayList<>();

  @Test
  void aCallWhoseStreamIsThereAtOnceIsNotHeld() {
    Future<String> stream = Future.succeededFuture("stream");
    for (int i = 0; i < 100_000; i++) {
      assertSame(stream, waits.guard(stream, givenBack::add));
    }
    assertEquals(0, waits.size(), "a closed loop's calls must not pile up (it ran a client out of heap)");
  }

  @Test
  void aWaitingCallIsHeldUntilItsStreamComes() {
    Promise<String> stream = Promise.promise();
    Future<String> guarded = waits.guard(stream.future(), givenBack::add);
    assertEquals(1, waits.size());
    stream.complete("stream");
    assertEquals("stream", guarded.result());
    assertEquals(0, waits.size());
    waits.connectionClosed();
    assertTrue(guarded.succeeded(), "a call that has its stream is the stream's business");
  }

  @Test
  void theConnectionClosingFailsTheWaitingCallsUnprocessedAndGivesBackALateStream() {
    Promise<String> stream = Promise.promise();
    Future<String> guarded = waits.guard(stream.future(), givenBack::add);
    waits.connectionClosed();
    CallFailure failure = (CallFailure) guarded.cause();
    assertTrue(failure.unprocessed(), "never sent: it may go elsewhere");
    assertEquals(StreamWaits.CLOSED, failure.reason());
    assertEquals(0, waits.size());
    stream.complete("late");
    assertEquals(List.of("late"), givenBack, "a stream that comes after all is given back");
    Future<String> after = waits.guard(Promise.<String>promise().future(), givenBack::add);
    assertTrue(after.failed(), "a call after the close fails at once");
  }
}

package lab.grpclb.transport;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Which records the filter recognises as Vert.x 5.0.7's queued-trailers defect, and which it lets through. */
class KnownVertxNoiseTest {
  static final String NETTY_MESSAGE = "Caught Throwable from listener onStreamClosed.";

  @Test
  void theDefectIsRecognisedWithItsStackAndWithoutOne() {
    NullPointerException withStack = new NullPointerException();
    withStack.setStackTrace(new StackTraceElement[] {
        new StackTraceElement("io.vertx.core.http.impl.VertxHttp2Stream", "cancel", "VertxHttp2Stream.java", 1)});
    assertTrue(KnownVertxNoise.isQueuedTrailersDefect(NETTY_MESSAGE, withStack));
    NullPointerException fastThrow = new NullPointerException();
    fastThrow.setStackTrace(new StackTraceElement[0]); // what the JIT throws once it has seen it often
    assertTrue(KnownVertxNoise.isQueuedTrailersDefect(NETTY_MESSAGE, fastThrow));
  }

  @Test
  void anythingElseIsStillLogged() {
    NullPointerException elsewhere = new NullPointerException();
    elsewhere.setStackTrace(new StackTraceElement[] {new StackTraceElement("lab.grpclb.Somewhere", "run", "S.java", 1)});
    assertFalse(KnownVertxNoise.isQueuedTrailersDefect(NETTY_MESSAGE, elsewhere));
    NullPointerException bare = new NullPointerException();
    bare.setStackTrace(new StackTraceElement[0]);
    assertFalse(KnownVertxNoise.isQueuedTrailersDefect("Caught Throwable from listener onStreamAdded.", bare));
    assertFalse(KnownVertxNoise.isQueuedTrailersDefect(NETTY_MESSAGE, new IllegalStateException()));
  }
}

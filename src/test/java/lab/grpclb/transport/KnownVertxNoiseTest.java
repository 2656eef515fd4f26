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

  /** Netty's own messages, as DefaultHttp2ConnectionDecoder 4.2.9 writes them. */
  @Test
  void framesIgnoredAfterAResetOrAGoAwayAreDroppedAndOtherDecoderLinesAreNot() {
    String channel = "[id: 0x2dabd77f, L:/127.0.0.4:50051 - R:/127.0.0.1:50276]";
    assertTrue(KnownVertxNoise.isIgnoredFrame(channel + " ignoring DATA frame for stream RST_STREAM sent."));
    assertTrue(KnownVertxNoise.isIgnoredFrame(channel + " ignoring HEADERS frame for stream 4343. Stream sent after GOAWAY sent"));
    assertTrue(KnownVertxNoise.isIgnoredFrame(channel + " ignoring DATA frame for stream Stream created after GOAWAY sent."
        + " Last known stream by peer 31"));
    assertFalse(KnownVertxNoise.isIgnoredFrame(channel + " Received GOAWAY with error code PROTOCOL_ERROR"));
    assertFalse(KnownVertxNoise.isIgnoredFrame(null));
  }
}

package lab.grpclb;

import java.util.concurrent.Callable;
import java.util.concurrent.TimeoutException;

/**
 * In the full suite a loopback GET between two Vert.x endpoints of the test JVM goes unanswered now and then
 * (KubectlTest's Table GETs, MetricsTest's scrapes; never when a test runs alone, no event loop blocked; cause
 * not found). A test asks once more, printing every thread's stack and the TCP sockets, and fails with the
 * stacks if it happens twice. Once seen so far (a KubectlTest GET): every event loop idle in its poll, and no
 * TCP connection to the API server open for the lost request, so it was lost in the client before it had a
 * socket, or its connection was already gone.
 */
public final class AskAgain {
  private AskAgain() {
  }

  /**
   * The machine's TCP sockets ({@code ss -tanoi}), if ss is there: whether the lost request has a connection,
   * and whether its bytes were read by the server (Recv-Q) or answered (bytes_sent).
   */
  static String sockets() {
    try {
      Process ss = new ProcessBuilder("ss", "-tanoi").redirectErrorStream(true).start();
      return new String(ss.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    } catch (java.io.IOException e) {
      return "(no ss: " + e.getMessage() + ")";
    }
  }

  /** {@code ask} fails with a TimeoutException when it got no answer in its own time limit. */
  public static <T> T once(String what, Callable<T> ask) throws Exception {
    try {
      return ask.call();
    } catch (TimeoutException first) {
      System.out.println(what + " got no answer, asking again; the threads:\n" + ThreadDump.now()
          + "\nthe TCP sockets:\n" + sockets());
      try {
        return ask.call();
      } catch (TimeoutException e) {
        throw new AssertionError(what + " got no answer twice; the threads:\n" + ThreadDump.now(), e);
      }
    }
  }
}

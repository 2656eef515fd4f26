package lab.grpclb;

import java.util.concurrent.Callable;
import java.util.concurrent.TimeoutException;

/**
 * In the full suite a loopback GET between two Vert.x endpoints of the test JVM goes unanswered now and then
 * (KubectlTest's Table GETs, MetricsTest's scrapes; never when a test runs alone, no event loop blocked; cause
 * not found). A test asks once more, printing every thread's stack, and fails with them if it happens twice.
 */
public final class AskAgain {
  private AskAgain() {
  }

  /** {@code ask} fails with a TimeoutException when it got no answer in its own time limit. */
  public static <T> T once(String what, Callable<T> ask) throws Exception {
    try {
      return ask.call();
    } catch (TimeoutException first) {
      System.out.println(what + " got no answer, asking again; the threads:\n" + ThreadDump.now());
      try {
        return ask.call();
      } catch (TimeoutException e) {
        throw new AssertionError(what + " got no answer twice; the threads:\n" + ThreadDump.now(), e);
      }
    }
  }
}

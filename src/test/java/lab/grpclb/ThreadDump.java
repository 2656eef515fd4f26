package lab.grpclb;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.util.Arrays;
import java.util.stream.Collectors;

/** Every thread's state and stack, for the message of a test that waited in vain. */
public final class ThreadDump {
  private ThreadDump() {
  }

  public static String now() {
    return Arrays.stream(ManagementFactory.getThreadMXBean().dumpAllThreads(true, true))
        .map(ThreadDump::describe).collect(Collectors.joining("\n"));
  }

  private static String describe(ThreadInfo info) {
    StringBuilder out = new StringBuilder("\"" + info.getThreadName() + "\" " + info.getThreadState());
    if (info.getLockName() != null) {
      out.append(" on ").append(info.getLockName()).append(" held by ").append(info.getLockOwnerName());
    }
    for (StackTraceElement frame : Arrays.copyOf(info.getStackTrace(), Math.min(12, info.getStackTrace().length))) {
      out.append("\n    at ").append(frame);
    }
    return out.toString();
  }
}

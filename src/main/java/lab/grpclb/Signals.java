package lab.grpclb;

import java.util.concurrent.atomic.AtomicBoolean;
import sun.misc.Signal;

/**
 * SIGTERM (what Kubernetes sends a pod) and SIGINT (Ctrl-C) start a graceful stop instead of killing the JVM,
 * so the process can drain and then exit 0. A second signal while stopping is ignored.
 */
final class Signals {
  private Signals() {
  }

  static void onTerminate(Runnable stop) {
    AtomicBoolean stopping = new AtomicBoolean();
    for (String name : new String[] {"TERM", "INT"}) {
      Signal.handle(new Signal(name), signal -> {
        if (stopping.compareAndSet(false, true)) {
          java.util.logging.Logger.getLogger(Signals.class.getName()).info("SIG" + name + " received: stopping gracefully");
          stop.run();
        }
      });
    }
  }
}

package lab.grpclb;

import java.util.logging.ConsoleHandler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/** One line per log event: time, level, message ({@link LogFormat#TEXT}), or one JSON object ({@link LogFormat#JSON}). */
final class Logging {
  /** The console handler {@link #configure} installed; null when the JVM's logging is someone else's (tests). */
  private static volatile ConsoleHandler console;
  /**
   * Vert.x's service discovery and its Kubernetes bridge log each step at INFO, a whole service record among them,
   * and the bridge's "master url" without its scheme's colon; the lab logs what the importer sees in one line per
   * endpoint instead. Held here: a logger nobody references may be collected, and its level with it.
   */
  private static final Logger DISCOVERY = Logger.getLogger("io.vertx.servicediscovery");

  private Logging() {
  }

  static void configure() {
    System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tT.%1$tL %4$s %5$s%6$s%n");
    LogManager.getLogManager().reset();
    ConsoleHandler handler = new ConsoleHandler();
    handler.setFormatter(new SimpleFormatter());
    console = handler;
    handler.setLevel(Level.INFO);
    handler.setFilter(new RepeatFilter(System::currentTimeMillis));
    Logger root = Logger.getLogger("");
    root.addHandler(handler);
    root.setLevel(Level.INFO);
    quietLibraries();
  }

  /** The libraries' step-by-step INFO lines off; their warnings stay. */
  static void quietLibraries() {
    DISCOVERY.setLevel(Level.WARNING);
  }

  /** Switches the console's format (--log-format); a no-op unless {@link #configure} installed the console. */
  static void use(LogFormat format) {
    ConsoleHandler handler = console;
    if (handler != null) {
      handler.setFormatter(format == LogFormat.JSON ? new JsonLogFormatter() : new SimpleFormatter());
    }
  }
}

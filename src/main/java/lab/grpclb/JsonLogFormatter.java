package lab.grpclb;

import io.vertx.core.json.JsonObject;
import java.util.logging.Formatter;
import java.util.logging.LogRecord;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code --log-format json}: one JSON object per line with time, level, logger and message, and the pod or
 * endpoint the line is about. The project's lines name their subject first ({@code pod NAME (IP) ...},
 * {@code pod NAME ready on IP:PORT}, a server's {@code pod IP: ...}, {@code endpoint IP:PORT (POD) ...}), so
 * the fields are read from there and no log call changes.
 */
public final class JsonLogFormatter extends Formatter {
  /** A message's leading subject: its pattern's groups, in order, fill these fields (an absent group, none). */
  private record Subject(Pattern pattern, String... fields) {
    Subject(String regex, String... fields) {
      this(Pattern.compile(regex), fields);
    }
  }

  /** Tried in order: the first that matches names the line's subject. */
  private static final Subject[] SUBJECTS = {
      new Subject("^pod ([0-9.]+|[0-9a-fA-F:]+?): ", "pod_ip"),
      new Subject("^pod ([a-z0-9][-a-z0-9.]*) \\(([^)]+)\\)", "pod", "pod_ip"),
      new Subject("^pod ([a-z0-9][-a-z0-9.]*) ready on ([^ ]+):\\d+", "pod", "pod_ip"),
      new Subject("^pod ([a-z0-9][-a-z0-9.]*)\\b", "pod"),
      new Subject("^endpoint ([^ ]+:\\d+)(?: \\(([^)]+)\\))?", "endpoint", "pod"),
  };

  @Override
  public String format(LogRecord record) {
    String message = formatMessage(record);
    JsonObject line = new JsonObject()
        .put("time", record.getInstant().toString())
        .put("level", record.getLevel().getName())
        .put("logger", record.getLoggerName())
        .put("message", message);
    subject(message, line);
    if (record.getThrown() != null) {
      line.put("error", record.getThrown().toString()); // one line, as every error here: no stack trace
    }
    return line.encode() + System.lineSeparator();
  }

  /** Adds pod, pod_ip and endpoint when the message names them. */
  static void subject(String message, JsonObject line) {
    for (Subject subject : SUBJECTS) {
      Matcher m = subject.pattern().matcher(message);
      if (m.find()) {
        for (int i = 0; i < subject.fields().length; i++) {
          if (m.group(i + 1) != null) {
            line.put(subject.fields()[i], m.group(i + 1));
          }
        }
        return;
      }
    }
  }
}

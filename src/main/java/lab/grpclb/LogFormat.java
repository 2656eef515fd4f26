package lab.grpclb;

import java.util.Locale;
import lab.grpclb.config.ConfigException;
import lab.grpclb.config.Flags;

/** {@code --log-format}: the human line (the default), or one JSON object per line for a log pipeline. */
enum LogFormat {
  TEXT, JSON;

  static final String VALID = "text|json";

  static LogFormat from(Flags flags) {
    String raw = flags.string("log-format", "text", VALID);
    for (LogFormat format : values()) {
      if (format.name().toLowerCase(Locale.ROOT).equals(raw)) {
        return format;
      }
    }
    throw new ConfigException("--log-format must be " + VALID + ", got '" + raw + "'");
  }
}

package lab.grpclb;

import lab.grpclb.config.Flags;

/** {@code --log-format}: the human line (the default), or one JSON object per line for a log pipeline. */
enum LogFormat {
  TEXT, JSON;

  static LogFormat from(Flags flags) {
    return flags.choice("log-format", TEXT);
  }
}

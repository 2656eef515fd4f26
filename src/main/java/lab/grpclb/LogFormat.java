package lab.grpclb;

import lab.grpclb.config.FlagTable;
import lab.grpclb.config.Flags;

/** {@code --log-format}: the human line (the default), or one JSON object per line for a log pipeline. */
enum LogFormat {
  TEXT, JSON;

  static LogFormat from(Flags flags) {
    return flags.choice(FlagTable.LOG_FORMAT, LogFormat.class);
  }
}

package lab.grpclb.experiment;

import java.util.Arrays;
import java.util.stream.Collectors;
import lab.grpclb.http.BadRequest;

/**
 * How an experiment answers ({@code format=}): the write-up's full JSON, the contract, by default; or a compact
 * one-screen answer for a person at a terminal (type, n, time, count_per_ip, ok, failed, errors, p50 and p99).
 */
enum AnswerFormat {
  FULL("full"),
  COMPACT("compact");

  private final String wireName;

  AnswerFormat(String wireName) {
    this.wireName = wireName;
  }

  static AnswerFormat parse(String raw) {
    return Arrays.stream(values()).filter(f -> f.wireName.equals(raw)).findFirst().orElseThrow(() -> new BadRequest(
        "format must be one of " + Arrays.stream(values()).map(f -> f.wireName).collect(Collectors.joining(", "))
            + ", got '" + raw + "'"));
  }
}

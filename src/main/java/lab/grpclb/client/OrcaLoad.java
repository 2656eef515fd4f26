package lab.grpclb.client;

import com.google.protobuf.InvalidProtocolBufferException;
import io.vertx.core.MultiMap;
import java.util.Base64;
import lab.grpclb.balance.LoadReport;
import orca.data.v3.OrcaLoadReport;

/**
 * ORCA's per-call report (gRFC A51) as the client reads it: the {@code endpoint-load-metrics-bin} trailer, a binary
 * header, so base64 on the wire (gRPC sends it unpadded; padded decodes too).
 */
final class OrcaLoad {
  static final String TRAILER = "endpoint-load-metrics-bin";

  private OrcaLoad() {
  }

  /** The report in {@code trailers}, or null when there is none or it does not decode (a foreign server's). */
  static LoadReport fromTrailers(MultiMap trailers) {
    String value = trailers == null ? null : trailers.get(TRAILER);
    if (value == null) {
      return null;
    }
    try {
      return of(OrcaLoadReport.parseFrom(Base64.getDecoder().decode(value)));
    } catch (IllegalArgumentException | InvalidProtocolBufferException e) {
      return null;
    }
  }

  static LoadReport of(OrcaLoadReport report) {
    return new LoadReport(report.getCpuUtilization(), report.getApplicationUtilization(), report.getRpsFractional(),
        report.getEps());
  }
}

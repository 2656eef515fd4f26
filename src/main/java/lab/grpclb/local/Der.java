package lab.grpclb.local;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * The few DER encodings (X.690) an X.509 certificate needs: each method answers one complete element. The JDK
 * generates keys and signs, but its certificate builder is internal (sun.security.x509), so the control plane's
 * certificates are written with these and read back by the JDK's own parser before use ({@link ControlPlaneTls}).
 */
final class Der {
  private static final DateTimeFormatter UTC_TIME = DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'").withZone(ZoneOffset.UTC);

  private Der() {
  }

  static byte[] sequence(byte[]... elements) {
    return element(0x30, concat(elements));
  }

  static byte[] set(byte[]... elements) {
    return element(0x31, concat(elements));
  }

  static byte[] integer(BigInteger value) {
    return element(0x02, value.toByteArray());
  }

  static byte[] bool(boolean value) {
    return element(0x01, new byte[] {(byte) (value ? 0xff : 0)});
  }

  /** An object identifier in dotted form, such as "2.5.4.3". */
  static byte[] oid(String dotted) {
    String[] arcs = dotted.split("\\.");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    base128(out, Long.parseLong(arcs[0]) * 40 + Long.parseLong(arcs[1]));
    for (int i = 2; i < arcs.length; i++) {
      base128(out, Long.parseLong(arcs[i]));
    }
    return element(0x06, out.toByteArray());
  }

  static byte[] utf8(String text) {
    return element(0x0c, text.getBytes(StandardCharsets.UTF_8));
  }

  /** UTCTime, which X.509 requires for dates before 2050. */
  static byte[] utcTime(Instant at) {
    return element(0x17, UTC_TIME.format(at).getBytes(StandardCharsets.US_ASCII));
  }

  /** A bit string whose last byte's trailing zero bits are unused, as DER requires for named bits. */
  static byte[] namedBits(int firstByte) {
    return element(0x03, new byte[] {(byte) Integer.numberOfTrailingZeros(firstByte), (byte) firstByte});
  }

  /** A bit string of whole bytes (a signature, a key). */
  static byte[] bitString(byte[] bytes) {
    return element(0x03, concat(new byte[] {0}, bytes));
  }

  static byte[] octetString(byte[] bytes) {
    return element(0x04, bytes);
  }

  /** A context-specific tag around a whole element ([n] EXPLICIT). */
  static byte[] explicit(int tag, byte[] element) {
    return element(0xa0 | tag, element);
  }

  /** A context-specific tag replacing a primitive's own ([n] IMPLICIT): a name's IP address or DNS name. */
  static byte[] implicit(int tag, byte[] contents) {
    return element(0x80 | tag, contents);
  }

  static byte[] element(int tag, byte[] contents) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(tag);
    int length = contents.length;
    if (length < 0x80) {
      out.write(length);
    } else {
      byte[] size = BigInteger.valueOf(length).toByteArray();
      int skip = size[0] == 0 ? 1 : 0; // toByteArray's sign byte
      out.write(0x80 | (size.length - skip));
      out.write(size, skip, size.length - skip);
    }
    out.writeBytes(contents);
    return out.toByteArray();
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.writeBytes(part);
    }
    return out.toByteArray();
  }

  private static void base128(ByteArrayOutputStream out, long value) {
    int groups = Math.max(1, (64 - Long.numberOfLeadingZeros(value) + 6) / 7);
    for (int i = groups - 1; i >= 0; i--) {
      int group = (int) (value >>> (7 * i)) & 0x7f;
      out.write(i > 0 ? group | 0x80 : group);
    }
  }
}

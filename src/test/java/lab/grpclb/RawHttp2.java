package lab.grpclb;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A bare HTTP/2 client connection over a blocking socket, for tests on the JUnit thread that must see what a server
 * puts on the wire and nothing else: the preface and SETTINGS exchange, and PINGs with their ACKs (RFC 9113 6.5, 6.7).
 */
public final class RawHttp2 implements AutoCloseable {
  static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
  static final int SETTINGS = 4;
  static final int PING = 6;
  static final int ACK = 1;
  private final Socket socket = new Socket();
  private final OutputStream out;
  private final DataInputStream in;

  /** Connects (the kernel completes it even when nobody accepts) and sends the client preface and SETTINGS. */
  public RawHttp2(String host, int port) throws IOException {
    socket.connect(new InetSocketAddress(host, port), 2_000);
    out = socket.getOutputStream();
    in = new DataInputStream(socket.getInputStream());
    out.write(PREFACE);
    frame(SETTINGS, 0, new byte[0]);
  }

  /** Waits for the server's SETTINGS and acknowledges them; false when none came within {@code timeoutMs}. */
  public boolean handshake(long timeoutMs) throws IOException {
    return awaitFrame(SETTINGS, 0, null, timeoutMs);
  }

  /** Sends a PING with this 8-byte payload. */
  public void ping(byte[] payload) throws IOException {
    frame(PING, 0, payload);
  }

  /** Whether the ACK of a PING with this payload arrives within {@code timeoutMs}; other frames are skipped. */
  public boolean pingAcked(byte[] payload, long timeoutMs) throws IOException {
    return awaitFrame(PING, ACK, payload, timeoutMs);
  }

  private boolean awaitFrame(int type, int flags, byte[] payload, long timeoutMs) throws IOException {
    long deadline = System.nanoTime() + timeoutMs * 1_000_000;
    while (true) {
      long left = (deadline - System.nanoTime()) / 1_000_000;
      if (left <= 0) {
        return false;
      }
      socket.setSoTimeout((int) left);
      byte[] header = new byte[9];
      try {
        in.readFully(header);
      } catch (SocketTimeoutException e) {
        return false;
      }
      byte[] body = new byte[((header[0] & 0xff) << 16) | ((header[1] & 0xff) << 8) | (header[2] & 0xff)];
      in.readFully(body);
      if (header[3] == SETTINGS && (header[4] & ACK) == 0) {
        frame(SETTINGS, ACK, new byte[0]); // every SETTINGS is acknowledged, as RFC 9113 6.5.3 asks
      }
      if (header[3] == type && (header[4] & ACK) == flags && (payload == null || Arrays.equals(payload, body))) {
        return true;
      }
    }
  }

  private void frame(int type, int flags, byte[] body) throws IOException {
    byte[] header = {(byte) (body.length >>> 16), (byte) (body.length >>> 8), (byte) body.length, (byte) type,
        (byte) flags, 0, 0, 0, 0};
    out.write(header);
    out.write(body);
    out.flush();
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}

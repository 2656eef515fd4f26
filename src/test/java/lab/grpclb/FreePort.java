package lab.grpclb;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** A port of 127.0.0.1 nothing listens on now, for a process or mode that must be told its port before it starts. */
public final class FreePort {
  private FreePort() {
  }

  public static int onLoopback() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      return socket.getLocalPort();
    }
  }
}

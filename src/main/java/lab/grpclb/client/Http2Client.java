package lab.grpclb.client;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.internal.VertxInternal;

/** The HTTP/2 (cleartext, prior knowledge) client settings every channel shares. */
final class Http2Client {
  static final int CONNECTION_WINDOW = 16 << 20;

  private Http2Client() {
  }

  /** {@code userTimeoutMs} > 0 sets TCP_USER_TIMEOUT (epoll only): unacknowledged data fails the socket then (A18). */
  static HttpClientOptions options(long connectTimeoutMs, long userTimeoutMs) {
    return new HttpClientOptions()
        .setTcpUserTimeout((int) Math.min(Integer.MAX_VALUE, userTimeoutMs))
        .setProtocolVersion(HttpVersion.HTTP_2)
        .setHttp2ClearTextUpgrade(false)
        .setHttp2ConnectionWindowSize(CONNECTION_WINDOW)
        .setHttp2KeepAliveTimeout(0) // a reused connection stays up between experiments
        .setTcpNoDelay(true)
        .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, connectTimeoutMs)); // TCP; the handshake is bounded by EndpointConnection
  }

  /** An event-loop context of its own for a channel's connections (and the calls started on them). */
  static Context newEventLoop(Vertx vertx) {
    return ((VertxInternal) vertx).createEventLoopContext();
  }

  /** Channels only ever {@code connect()} through it: every connection they use is one they own. */
  static HttpClientAgent create(Vertx vertx, long connectTimeoutMs, long userTimeoutMs) {
    return vertx.httpClientBuilder().with(options(connectTimeoutMs, userTimeoutMs)).build();
  }
}

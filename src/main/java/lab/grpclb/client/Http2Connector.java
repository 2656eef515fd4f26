package lab.grpclb.client;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.GoAway;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientConnection;
import io.vertx.core.http.HttpConnectOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.common.ServiceMethod;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import lab.grpclb.balance.LoadReport;
import lab.grpclb.balance.Subchannel.LoadReportListener;
import lab.grpclb.call.CallFailure;
import lab.grpclb.call.CallOptions;
import lab.grpclb.call.GrpcCall;
import lab.grpclb.call.StreamWaits;
import lab.grpclb.transport.ClientResetLimits;
import lab.grpclb.transport.FlushBatching;
import lab.grpclb.transport.KnownVertxNoise;

/**
 * HTTP/2 (cleartext, prior knowledge) connections to one address, one client agent per attempt: an attempt whose
 * handshake never completes can only be freed by closing its agent, as Vert.x offers no other handle on a
 * half-open connection.
 */
final class Http2Connector implements Connector {
  /** HTTP/2's error code a server sends away a client with for pinging too often, with this debug data (gRFC A8). */
  static final long ENHANCE_YOUR_CALM = 0xB;
  static final String TOO_MANY_PINGS = "too_many_pings";
  private static final byte[] PING_DATA = new byte[8];

  static {
    KnownVertxNoise.silence(); // an aborted handshake must not log a warning per attempt
  }

  private final Vertx vertx;
  private final SocketAddress address;
  private final long connectTimeoutMs;
  private final long userTimeoutMs;

  /** {@code userTimeoutMs}: the sockets' TCP_USER_TIMEOUT, the keepalive timeout when keepalive is on (else 0). */
  Http2Connector(Vertx vertx, SocketAddress address, long connectTimeoutMs, long userTimeoutMs) {
    this.vertx = vertx;
    this.address = address;
    this.connectTimeoutMs = connectTimeoutMs;
    this.userTimeoutMs = userTimeoutMs;
  }

  @Override
  public Attempt connect(Transport.Events listener) {
    HttpClientAgent agent = Http2Client.create(vertx, connectTimeoutMs, userTimeoutMs);
    Promise<Transport> made = Promise.promise();
    agent.connect(new HttpConnectOptions().setServer(address)).onComplete(ar -> {
      if (ar.failed()) {
        made.tryFail(CallFailure.connectFailed(ar.cause()));
      } else if (!made.tryComplete(new Http2Transport(agent, ar.result(), listener))) {
        ar.result().close(); // abandoned meanwhile: nobody will use it
      }
    });
    return new Attempt() {
      @Override
      public Future<Transport> transport() {
        return made.future();
      }

      @Override
      public void abandon() {
        made.tryFail(CallFailure.unprocessed("connection attempt to " + address + " abandoned"));
        agent.close(); // frees a half-open connection too (no handshake yet)
      }
    };
  }

  /** One HTTP/2 connection and the agent that made it (closing the agent frees the socket). */
  private final class Http2Transport implements Transport {
    private final HttpClientAgent agent;
    private final HttpClientConnection connection;
    private final GrpcClient grpc;
    private final StreamWaits waits = new StreamWaits();

    Http2Transport(HttpClientAgent agent, HttpClientConnection connection, Events listener) {
      this.agent = agent;
      this.connection = connection;
      this.grpc = GrpcClient.client(vertx, connection);
      FlushBatching.install(connection); // many calls share this connection: one write per task, not per frame
      ClientResetLimits.lift(connection); // so that a deadline storm never makes it close itself
      connection.exceptionHandler(err -> listener.error(CallFailure.of(err).reason())); // the calls report it
      connection.closeHandler(v -> {
        waits.connectionClosed();
        agent.close();
        listener.gone("connection closed");
      });
      connection.goAwayHandler(goAway -> { // new calls need a new connection
        if (tooManyPings(goAway)) {
          listener.tooManyPings();
          listener.gone("GOAWAY ENHANCE_YOUR_CALM too_many_pings from the server");
        } else {
          listener.gone("GOAWAY from the server");
        }
      });
    }

    private boolean tooManyPings(GoAway goAway) {
      Buffer debug = goAway.getDebugData();
      return goAway.getErrorCode() == ENHANCE_YOUR_CALM && debug != null && TOO_MANY_PINGS.equals(debug.toString());
    }

    @Override
    public <Q, R> Future<R> call(ServiceMethod<R, Q> method, Q request, CallOptions options,
                                 LoadReportListener loadReports) {
      return GrpcCall.call(vertx, grpc, address, method, request, options, loadReports == null ? null : trailers -> {
        LoadReport report = OrcaLoad.fromTrailers(trailers);
        if (report != null) {
          loadReports.loadReported(report);
        }
      }, waits);
    }

    @Override
    public <Q, R> ServerStream serverStream(ServiceMethod<R, Q> method, Q request, Consumer<R> replies) {
      return GrpcServerStream.open(grpc, address, method, request, replies);
    }

    @Override
    public Future<Void> drain(long timeoutMs) {
      return connection.shutdown(timeoutMs, TimeUnit.MILLISECONDS).eventually(agent::close);
    }

    /**
     * Call on the connection's event loop (keepalive does): Vert.x 5.0.7 registers a PING's waiter for its ACK only
     * once the frame is written, so from another thread the ACK may come first and be dropped (1 in 100 on loopback).
     */
    @Override
    public Future<Void> ping() {
      return connection.ping(Buffer.buffer(PING_DATA)).mapEmpty();
    }

    @Override
    public Future<Void> close() {
      return connection.close().eventually(agent::close);
    }
  }
}

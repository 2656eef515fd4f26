package lab.grpclb.client;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientConnection;
import io.vertx.core.http.HttpConnectOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.common.ServiceMethod;
import java.util.concurrent.TimeUnit;
import lab.grpclb.call.CallFailure;
import lab.grpclb.call.CallOptions;
import lab.grpclb.call.GrpcCall;
import lab.grpclb.transport.ClientResetLimits;
import lab.grpclb.transport.FlushBatching;
import lab.grpclb.transport.KnownVertxNoise;

/**
 * HTTP/2 (cleartext, prior knowledge) connections to one address, one client agent per attempt: an attempt whose
 * handshake never completes can only be freed by closing its agent, as Vert.x offers no other handle on a
 * half-open connection.
 */
final class Http2Connector implements Connector {
  static {
    KnownVertxNoise.silence(); // an aborted handshake must not log a warning per attempt
  }

  private final Vertx vertx;
  private final SocketAddress address;
  private final long connectTimeoutMs;

  Http2Connector(Vertx vertx, SocketAddress address, long connectTimeoutMs) {
    this.vertx = vertx;
    this.address = address;
    this.connectTimeoutMs = connectTimeoutMs;
  }

  @Override
  public Attempt connect(Transport.Events listener) {
    HttpClientAgent agent = Http2Client.create(vertx, connectTimeoutMs);
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

    Http2Transport(HttpClientAgent agent, HttpClientConnection connection, Events listener) {
      this.agent = agent;
      this.connection = connection;
      this.grpc = GrpcClient.client(vertx, connection);
      FlushBatching.install(connection); // many calls share this connection: one write per task, not per frame
      ClientResetLimits.lift(connection); // so that a deadline storm never makes it close itself
      connection.exceptionHandler(err -> listener.error(CallFailure.of(err).reason())); // the calls report it
      connection.closeHandler(v -> {
        agent.close();
        listener.gone("connection closed");
      });
      connection.goAwayHandler(goAway -> listener.gone("GOAWAY from the server")); // new calls need a new one
    }

    @Override
    public <Q, R> Future<R> call(ServiceMethod<R, Q> method, Q request, CallOptions options) {
      return GrpcCall.call(vertx, grpc, address, method, request, options);
    }

    @Override
    public Future<Void> drain(long timeoutMs) {
      return connection.shutdown(timeoutMs, TimeUnit.MILLISECONDS).eventually(agent::close);
    }
  }
}

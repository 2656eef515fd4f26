package lab.grpclb.client;

import experiment.Experiment.HelloReply;
import experiment.Experiment.HelloRequest;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.net.SocketAddress;
import java.util.List;

/** "ClientWithReuseConn": one HTTP/2 connection, opened at start, carrying every call of every experiment. */
public final class SharedChannel implements GreeterChannel {
  private final HttpClientAgent agent;
  private final EndpointConnection connection;

  public SharedChannel(Vertx vertx, SocketAddress target, long callTimeoutMs) {
    this.agent = Http2Client.create(vertx);
    this.connection = new EndpointConnection(vertx, Http2Client.newEventLoop(vertx), agent, target, callTimeoutMs);
  }

  @Override
  public Future<HelloReply> sayHello(HelloRequest request) {
    return connection.sayHello(request);
  }

  @Override
  public Future<Void> warmUp() {
    return connection.connect().recover(err -> Future.succeededFuture()); // calls will report the failure
  }

  @Override
  public List<String> endpoints() {
    return List.of(connection.address().host() + ":" + connection.address().port());
  }

  @Override
  public Context preferredContext() {
    return connection.context();
  }

  @Override
  public long connectionsOpened() {
    return connection.connectionsOpened();
  }

  @Override
  public int connectionsOpen() {
    return connection.isOpen() ? 1 : 0;
  }

  @Override
  public Future<Void> close() {
    return connection.shutdown(0).eventually(agent::close);
  }
}

package lab.grpclb.balance;

import io.vertx.core.Future;
import io.vertx.grpc.common.ServiceMethod;
import lab.grpclb.call.CallOptions;

/** A subchannel that passes everything to another, for wrappers to override one part (grpc-java has the same). */
abstract class ForwardingSubchannel implements Subchannel {
  protected final Subchannel delegate;

  ForwardingSubchannel(Subchannel delegate) {
    this.delegate = delegate;
  }

  @Override
  public String key() {
    return delegate.key();
  }

  @Override
  public void start(StateListener listener) {
    delegate.start(listener);
  }

  @Override
  public void requestConnection() {
    delegate.requestConnection();
  }

  @Override
  public <Q, R> Future<R> call(ServiceMethod<R, Q> method, Q request, CallOptions options) {
    return delegate.call(method, request, options);
  }

  @Override
  public EndpointLoad load() {
    return delegate.load();
  }

  @Override
  public OutlierTracker outliers() {
    return delegate.outliers();
  }

  @Override
  public void setLoadReportListener(LoadReportListener listener) {
    delegate.setLoadReportListener(listener);
  }

  @Override
  public void requestOobReports(long periodMs) {
    delegate.requestOobReports(periodMs);
  }

  @Override
  public Future<Void> drain() {
    return delegate.drain();
  }
}

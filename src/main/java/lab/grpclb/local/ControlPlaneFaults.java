package lab.grpclb.local;

import java.util.function.IntSupplier;

/**
 * The control plane's fault switches, what an unhealthy API server does to its clients: it drops every open
 * watch stream mid-flight, forgets its event history (a resume from an older resourceVersion gets 410
 * Expired), and answers an error status to the next few requests. It counts what the faults really did, so a
 * soak can show that they reached the client.
 */
public final class ControlPlaneFaults {
  /** What the faults did so far: drops asked for and streams they cut, compactions, and the answers they changed. */
  public record FaultsInjected(long watchDrops, long streamsDropped, long compactions, long failuresAnswered, long expiredAnswered) {
  }

  private final IntSupplier dropStreams;
  private final Runnable forgetHistory;
  private int failuresLeft;
  private int failureStatus;
  private long watchDrops;
  private long streamsDropped;
  private long compactions;
  private long failuresAnswered;
  private long expiredAnswered;

  /** {@code dropStreams} cuts every open watch and says how many; {@code forgetHistory} compacts the store. */
  ControlPlaneFaults(IntSupplier dropStreams, Runnable forgetHistory) {
    this.dropStreams = dropStreams;
    this.forgetHistory = forgetHistory;
  }

  /**
   * Cuts every open watch stream without ending it (no last chunk: the connection closes, an HTTP/2 stream is
   * reset), as a crashing API server or a broken load balancer in front of it does. Returns the streams cut.
   */
  public int dropWatches() {
    int dropped = dropStreams.getAsInt();
    synchronized (this) {
      watchDrops++;
      streamsDropped += dropped;
    }
    return dropped;
  }

  /** Forgets the event history: a watch resuming from any resourceVersion handed out so far gets 410 Expired. */
  public void compact() {
    forgetHistory.run();
    synchronized (this) {
      compactions++;
    }
  }

  /** The next {@code count} requests fail with this HTTP status (a Status JSON), as an overloaded API server's do. */
  public synchronized void failNext(int count, int status) {
    failuresLeft = count;
    failureStatus = status;
  }

  public synchronized FaultsInjected counts() {
    return new FaultsInjected(watchDrops, streamsDropped, compactions, failuresAnswered, expiredAnswered);
  }

  /** The status this request must fail with, using up one injected failure; 0 to serve it. */
  synchronized int takeFailure() {
    if (failuresLeft <= 0) {
      return 0;
    }
    failuresLeft--;
    failuresAnswered++;
    return failureStatus;
  }

  synchronized void answeredExpired() {
    expiredAnswered++;
  }
}

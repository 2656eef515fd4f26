package lab.grpclb.server;

import io.netty.channel.Channel;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import lab.grpclb.transport.ChannelFreeze;

/**
 * A pod frozen as a process stopped in a GC pause or a hung kernel is, the pod's side of a node that goes silent:
 * its listening socket stops accepting (new connections wait in the kernel's backlog) and every connection stops
 * reading and writing ({@link ChannelFreeze}), while every socket stays open, so a client gets no RST, no FIN and
 * no PING ACK. Thawed, all of them resume and the replies held meanwhile go out, late.
 */
final class PodFreeze {
  private final long sinceNanos = System.nanoTime();
  /** Guarded by this: one per socket, the listening one first. */
  private final List<Future<ChannelFreeze>> sockets = new ArrayList<>();

  /** Freezes the listening socket (null: Vert.x hides it); the connections follow, each by {@link #add}. */
  PodFreeze(Channel listening) {
    add(listening);
  }

  /** Freezes one more socket (a connection, say one that completed its handshake as the pod froze); null: none. */
  synchronized void add(Channel channel) {
    if (channel != null) {
      sockets.add(ChannelFreeze.freeze(channel));
    }
  }

  /** Completes once every socket is silent. */
  synchronized Future<Void> silent() {
    return Future.all(List.copyOf(sockets)).mapEmpty();
  }

  long frozenMs() {
    return (System.nanoTime() - sinceNanos) / 1_000_000;
  }

  /** Every socket resumes; what each held goes out in order. */
  Future<Void> thaw() {
    return each(ChannelFreeze::thaw);
  }

  /** The process ends frozen: what was held never leaves, and the sockets close as they would. */
  Future<Void> discard() {
    return each(ChannelFreeze::discard);
  }

  private synchronized Future<Void> each(Function<ChannelFreeze, Future<Void>> step) {
    List<Future<Void>> done = sockets.stream().map(frozen -> frozen.compose(step)).toList();
    return Future.all(done).mapEmpty();
  }
}

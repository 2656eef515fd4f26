package lab.grpclb.transport;

import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * One Netty channel held silent, as the socket of a frozen process is: nothing is read and nothing is written,
 * while the socket stays open (the kernel still completes handshakes and acknowledges bytes until its buffers
 * fill, as it does for a process stopped in a GC pause). Sits at the head of the pipeline, next to the socket, so
 * it holds what every handler above it writes, the HTTP/2 codec's replies, PING ACKs, SETTINGS and GOAWAY alike.
 * Thawed, the held writes go out in their order, late, then what was held of the reads goes up, and reading resumes.
 *
 * <p>Reading stops twice over: autoRead off (Netty stops asking the socket) and every read request swallowed, so
 * that nothing upstream turns reading back on meanwhile. Bytes Netty reads all the same (it drains a socket whose
 * peer half-closed) are held too. On a listening channel the same stops accepting: new connections wait in the
 * kernel's backlog, with no byte from us. A socket that closes while frozen drops what it held. All state is touched
 * on the channel's loop.
 */
public final class ChannelFreeze extends ChannelDuplexHandler {
  private static final String NAME = "lab-freeze";

  private record Held(Object message, ChannelPromise promise) {
  }

  private final Channel channel;
  private final List<Held> writes = new ArrayList<>();
  private final List<Object> reads = new ArrayList<>();
  private boolean frozen = true;
  private boolean flushAsked;
  private boolean autoReadBefore;

  private ChannelFreeze(Channel channel) {
    this.channel = channel;
  }

  /** Freezes the channel; completes on its event loop once no byte goes in or out any more. */
  public static Future<ChannelFreeze> freeze(Channel channel) {
    ChannelFreeze freeze = new ChannelFreeze(channel);
    Promise<ChannelFreeze> frozen = Promise.promise();
    channel.eventLoop().execute(() -> {
      if (channel.pipeline().get(NAME) == null) {
        freeze.autoReadBefore = channel.config().isAutoRead();
        channel.pipeline().addFirst(NAME, freeze);
        channel.config().setAutoRead(false);
      }
      frozen.complete(freeze);
    });
    return frozen.future();
  }

  /** Sends what was held, in order, hands up what was read, and reads again; completes once done on the loop. */
  public Future<Void> thaw() {
    return onLoop(ctx -> {
      frozen = false; // from here on everything passes, what a held write's completion triggers too
      List<Held> sent = List.copyOf(writes);
      List<Object> received = List.copyOf(reads);
      writes.clear();
      reads.clear();
      sent.forEach(w -> ctx.write(w.message(), w.promise()));
      if (flushAsked || !sent.isEmpty()) {
        ctx.flush();
      }
      received.forEach(ctx::fireChannelRead);
      if (!received.isEmpty()) {
        ctx.fireChannelReadComplete();
      }
      ctx.pipeline().remove(this);
      channel.config().setAutoRead(autoReadBefore); // asks the socket for bytes again (when it was on before)
    });
  }

  /**
   * Drops what was held (the process is going away: those bytes never leave) and stops holding, so that the close
   * that follows goes out as it would; reading stays off.
   */
  public Future<Void> discard() {
    return onLoop(ctx -> {
      dropHeld(); // still frozen: what failing the held writes makes their writers write is dropped as well
      frozen = false;
      ctx.pipeline().remove(this);
    });
  }

  private Future<Void> onLoop(Consumer<ChannelHandlerContext> step) {
    Promise<Void> done = Promise.promise();
    channel.eventLoop().execute(() -> {
      ChannelHandlerContext ctx = channel.pipeline().context(this);
      if (ctx != null) { // gone already: thawed, discarded, or the channel closed
        step.accept(ctx);
      }
      done.complete();
    });
    return done.future();
  }

  @Override
  public void read(ChannelHandlerContext ctx) {
    if (!frozen) { // else swallowed: a frozen process asks the socket for nothing
      ctx.read();
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (frozen) {
      reads.add(msg);
    } else {
      ctx.fireChannelRead(msg);
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (!frozen) {
      ctx.fireChannelReadComplete();
    }
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (!frozen) {
      ctx.write(msg, promise);
    } else if (ctx.channel().isActive()) {
      writes.add(new Held(msg, promise));
    } else {
      drop(msg, promise); // the socket is gone: held, it would never leave
    }
  }

  @Override
  public void flush(ChannelHandlerContext ctx) {
    if (frozen) {
      flushAsked = true;
    } else {
      ctx.flush();
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    dropHeld();
    super.channelInactive(ctx);
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    dropHeld(); // the channel closed with us in place: nothing held may leak
  }

  /** Failing a held write lets its writer react, say with a reset, which may write more: that is dropped too. */
  private void dropHeld() {
    while (!writes.isEmpty() || !reads.isEmpty()) {
      List<Held> unsent = List.copyOf(writes);
      List<Object> unread = List.copyOf(reads);
      writes.clear();
      reads.clear();
      unread.forEach(ReferenceCountUtil::release);
      unsent.forEach(w -> drop(w.message(), w.promise()));
    }
    flushAsked = false;
  }

  private static void drop(Object msg, ChannelPromise promise) {
    ReferenceCountUtil.release(msg);
    if (!promise.isVoid()) { // a void promise would report its failure down the pipeline
      promise.tryFailure(new ClosedChannelException());
    }
  }
}

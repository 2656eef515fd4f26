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
 * Thawed, the held writes go out in their order, late, and reading resumes.
 *
 * <p>Reading stops twice over: autoRead off (Netty stops asking the socket) and every read request swallowed, so
 * that nothing upstream turns reading back on meanwhile. On a listening channel the same two stop accepting: new
 * connections wait in the kernel's backlog, with no byte from us. All state is touched on the channel's loop.
 */
public final class ChannelFreeze extends ChannelDuplexHandler {
  private static final String NAME = "lab-freeze";

  private record Held(Object message, ChannelPromise promise) {
  }

  private final Channel channel;
  private final List<Held> held = new ArrayList<>();
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

  /** Sends what was held, in order, and reads again; completes once that is done on the channel's loop. */
  public Future<Void> thaw() {
    return onLoop(ctx -> {
      frozen = false; // from here on writes pass, those a held write's completion triggers too
      List<Held> writes = List.copyOf(held);
      held.clear();
      writes.forEach(w -> ctx.write(w.message(), w.promise()));
      if (flushAsked || !writes.isEmpty()) {
        ctx.flush();
      }
      ctx.pipeline().remove(this);
      channel.config().setAutoRead(autoReadBefore); // asks the socket for bytes again (when it was on before)
    });
  }

  /**
   * Drops what was held (the process is going away: those bytes never leave) and stops holding writes, so that the
   * close that follows goes out as it would; reading stays off.
   */
  public Future<Void> discard() {
    return onLoop(ctx -> {
      frozen = false;
      dropHeld();
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
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (frozen) {
      held.add(new Held(msg, promise));
    } else {
      ctx.write(msg, promise);
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

  private void dropHeld() {
    for (Held write : held) {
      ReferenceCountUtil.release(write.message());
      if (!write.promise().isVoid()) { // a void promise would report its failure down the pipeline
        write.promise().tryFailure(new ClosedChannelException());
      }
    }
    held.clear();
    flushAsked = false;
  }
}

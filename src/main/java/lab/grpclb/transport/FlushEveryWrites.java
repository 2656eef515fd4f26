package lab.grpclb.transport;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;

/**
 * In front of the socket: flushes after every {@code limit} buffers written since the last flush. Inside a read
 * Vert.x does not flush at all until the read ends, so a closed loop whose replies all arrive in one read sent all
 * of its next calls in one write once they were all encoded, and the peer replied the same way: the two sides took
 * turns in lockstep, each idle while the other worked (issue #24). grpc-java's Netty transport flushes its write
 * queue every 128 commands (about 43 calls), so the peer starts on the first calls while the rest are encoded.
 */
final class FlushEveryWrites extends ChannelDuplexHandler {
  private final int limit;
  private int written;

  FlushEveryWrites(int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be at least 1, got " + limit);
    }
    this.limit = limit;
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    ctx.write(msg, promise);
    if (++written >= limit) {
      written = 0;
      ctx.flush();
    }
  }

  @Override
  public void flush(ChannelHandlerContext ctx) {
    written = 0;
    ctx.flush();
  }
}

package lab.grpclb.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * One frozen channel on Netty's own in-memory channel: nothing leaves until it thaws, in order; and a socket that
 * closes while frozen drops what it held, each buffer released once, even when failing a held write makes its writer
 * write again (a reset for the stream, say), which had thrown mid-drop and double-released on the real pods.
 */
class ChannelFreezeTest {

  @Test
  void heldWritesLeaveInOrderOnlyWhenThawed() {
    EmbeddedChannel channel = new EmbeddedChannel();
    ChannelFreeze freeze = frozen(channel);
    channel.writeAndFlush(Unpooled.copiedBuffer(new byte[] {1}));
    channel.writeAndFlush(Unpooled.copiedBuffer(new byte[] {2}));
    channel.writeInbound(Unpooled.copiedBuffer(new byte[] {9}));
    assertNull(channel.readOutbound(), "nothing leaves a frozen channel");
    assertNull(channel.readInbound(), "nothing read goes up while frozen");
    freeze.thaw();
    channel.runPendingTasks();
    assertEquals(1, ((ByteBuf) channel.readOutbound()).readByte());
    assertEquals(2, ((ByteBuf) channel.readOutbound()).readByte());
    assertEquals(9, ((ByteBuf) channel.readInbound()).readByte(), "what was read goes up after the held writes");
    assertTrue(channel.config().isAutoRead(), "reading again");
    channel.checkException();
  }

  @Test
  void aSocketClosingWhileFrozenReleasesEachHeldBufferOnceThoughFailuresWriteMore() {
    EmbeddedChannel channel = new EmbeddedChannel();
    frozen(channel);
    List<ByteBuf> written = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      ByteBuf reply = Unpooled.copiedBuffer(new byte[] {(byte) i});
      written.add(reply);
      ChannelPromise promise = channel.newPromise();
      promise.addListener((ChannelFutureListener) done -> { // as a stream's writer resets the stream on a failed write
        if (!done.isSuccess()) {
          ByteBuf reset = Unpooled.copiedBuffer(new byte[] {7});
          written.add(reset);
          channel.writeAndFlush(reset);
        }
      });
      channel.write(reply, promise);
    }
    channel.flush();
    channel.close();
    channel.runPendingTasks();
    channel.checkException();
    assertEquals(10, written.size(), "each failed write wrote a reset: " + written.size());
    assertTrue(written.stream().allMatch(buffer -> buffer.refCnt() == 0), "every buffer released exactly once");
    assertFalse(channel.isOpen());
  }

  private static ChannelFreeze frozen(EmbeddedChannel channel) {
    ChannelFreeze[] freeze = new ChannelFreeze[1];
    ChannelFreeze.freeze(channel).onSuccess(f -> freeze[0] = f);
    channel.runPendingTasks();
    assertFalse(channel.config().isAutoRead());
    return freeze[0];
  }
}

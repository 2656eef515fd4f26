package lab.grpclb.transport;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.dns.AbstractDnsOptPseudoRrRecord;
import io.netty.handler.codec.dns.DatagramDnsQuery;
import io.netty.handler.codec.dns.DatagramDnsQueryDecoder;
import io.netty.handler.codec.dns.DatagramDnsResponse;
import io.netty.handler.codec.dns.DatagramDnsResponseEncoder;
import io.netty.handler.codec.dns.DefaultDnsRawRecord;
import io.netty.handler.codec.dns.DefaultDnsResponse;
import io.netty.handler.codec.dns.DnsOpCode;
import io.netty.handler.codec.dns.DnsQuery;
import io.netty.handler.codec.dns.DnsQuestion;
import io.netty.handler.codec.dns.DnsRecord;
import io.netty.handler.codec.dns.DnsRecordEncoder;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsResponse;
import io.netty.handler.codec.dns.DnsResponseCode;
import io.netty.handler.codec.dns.DnsSection;
import io.netty.handler.codec.dns.TcpDnsQueryDecoder;
import io.netty.handler.codec.dns.TcpDnsResponseEncoder;
import io.netty.util.NetUtil;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.PromiseInternal;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.spi.transport.Transport;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A DNS server (RFC 1035) on one Vert.x event loop, over UDP and TCP on one port, with Netty's DNS codec for the
 * wire format. Each query's question is answered by a function (on that event loop, so it must not block). A UDP
 * answer that outgrows what the client can take (512 bytes, or the size its EDNS record gives, at most
 * {@link #EDNS_PAYLOAD}) is sent truncated (TC) with the records that fit, and the client asks again over TCP,
 * as dig and Netty's resolver (Vert.x's DnsClient) do: Netty's encoder does not compress names, so eight A
 * records of a cluster name already pass 512 bytes.
 */
public final class DnsServer {
  /** The EDNS payload size DNS Flag Day 2020 settled on: no IP fragmentation on any usual path. */
  static final int EDNS_PAYLOAD = 1232;
  static final int CLASSIC_PAYLOAD = 512;
  private static final int HEADER_BYTES = 12;

  /** A question as asked: the name in lower case without its trailing dot, and the record type ("A", "AAAA"). */
  public record Question(String name, String type) {
  }

  /** What the server answers a question with. */
  public sealed interface DnsAnswer {
    /** A records, each with this TTL. */
    record Addresses(List<String> ipv4, int ttlSeconds) implements DnsAnswer {
    }

    /** The name exists but has no record of the type asked (NOERROR, no answer). */
    record NoData() implements DnsAnswer {
    }

    /** NXDOMAIN. */
    record NoSuchName() implements DnsAnswer {
    }
  }

  private final ContextInternal context;
  private final Function<Question, DnsAnswer> answers;
  private Channel udp;
  private Channel tcp;

  private DnsServer(ContextInternal context, Function<Question, DnsAnswer> answers) {
    this.context = context;
    this.answers = answers;
  }

  /** Binds UDP, then TCP on the same port (with port 0, the one UDP got); all on one new event-loop context. */
  public static Future<DnsServer> listen(Vertx vertx, String host, int port, Function<Question, DnsAnswer> answers) {
    VertxInternal internal = (VertxInternal) vertx;
    DnsServer server = new DnsServer(internal.createEventLoopContext(), answers);
    EventLoop loop = server.context.nettyEventLoop();
    Transport transport = internal.transport();
    Bootstrap udp = new Bootstrap().group(loop).channelFactory(transport::datagramChannel)
        .handler(pipeline(() -> new ChannelHandler[] {new DatagramDnsQueryDecoder(), new DatagramDnsResponseEncoder(),
            server.new Responder(true)}));
    ServerBootstrap tcp = new ServerBootstrap().group(loop, loop).channelFactory(transport.serverChannelFactory(false))
        .childHandler(pipeline(() -> new ChannelHandler[] {new TcpDnsQueryDecoder(), new TcpDnsResponseEncoder(),
            server.new Responder(false)}));
    return server.bound(udp.bind(host, port)).compose(udpChannel -> {
      server.udp = udpChannel;
      return server.bound(tcp.bind(host, server.port()))
          .recover(err -> server.close().transform(v -> Future.failedFuture(err)));
    }).map(tcpChannel -> {
      server.tcp = tcpChannel;
      return server;
    });
  }

  private static ChannelInitializer<Channel> pipeline(Supplier<ChannelHandler[]> handlers) {
    return new ChannelInitializer<>() {
      @Override
      protected void initChannel(Channel channel) {
        channel.pipeline().addLast(handlers.get());
      }
    };
  }

  private Future<Channel> bound(ChannelFuture binding) {
    PromiseInternal<Void> promise = context.promise();
    binding.addListener(promise);
    return promise.future().map(v -> binding.channel());
  }

  public int port() {
    return ((InetSocketAddress) udp.localAddress()).getPort();
  }

  public Future<Void> close() {
    List<Future<Void>> closing = new ArrayList<>();
    for (Channel channel : new Channel[] {udp, tcp}) {
      if (channel != null) {
        PromiseInternal<Void> closed = context.promise();
        channel.close().addListener(closed);
        closing.add(closed.future());
      }
    }
    return Future.join(closing).mapEmpty();
  }

  /** Answers each query on the event loop it arrives on; a datagram that is no DNS query is dropped. */
  private final class Responder extends SimpleChannelInboundHandler<DnsQuery> {
    private final boolean datagram;

    Responder(boolean datagram) {
      this.datagram = datagram;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, DnsQuery query) throws Exception {
      DnsResponse response = datagram
          ? new DatagramDnsResponse(((DatagramDnsQuery) query).recipient(), ((DatagramDnsQuery) query).sender(),
              query.id(), query.opCode())
          : new DefaultDnsResponse(query.id(), query.opCode());
      response.setRecursionDesired(query.isRecursionDesired());
      DnsQuestion question = query.count(DnsSection.QUESTION) == 0 ? null : query.recordAt(DnsSection.QUESTION);
      if (query.opCode() != DnsOpCode.QUERY || question == null) {
        response.setCode(question == null ? DnsResponseCode.FORMERR : DnsResponseCode.NOTIMP);
        ctx.writeAndFlush(response);
        return;
      }
      response.setAuthoritativeAnswer(true);
      response.addRecord(DnsSection.QUESTION, question);
      Integer clientPayload = ednsPayload(query);
      int fixedBytes = HEADER_BYTES + encodedSize(question, true);
      if (clientPayload != null) {
        DnsRecord opt = new AbstractDnsOptPseudoRrRecord(EDNS_PAYLOAD) { };
        response.addRecord(DnsSection.ADDITIONAL, opt);
        fixedBytes += encodedSize(opt, false);
      }
      DnsAnswer answer = answers.apply(new Question(plainName(question.name()), question.type().name()));
      if (answer instanceof DnsAnswer.NoSuchName) {
        response.setCode(DnsResponseCode.NXDOMAIN);
      } else if (answer instanceof DnsAnswer.Addresses addresses) {
        int limit = !datagram ? Integer.MAX_VALUE
            : clientPayload == null ? CLASSIC_PAYLOAD : Math.max(CLASSIC_PAYLOAD, Math.min(clientPayload, EDNS_PAYLOAD));
        addAddresses(response, question.name(), addresses, limit - fixedBytes);
      }
      ctx.writeAndFlush(response);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      if (!datagram) {
        ctx.close(); // a TCP client that sent something else than DNS: hang up on it; the UDP socket stays
      }
    }
  }

  /** As many A records as fit in {@code room} bytes; TC when some did not. */
  private static void addAddresses(DnsResponse response, String name, DnsAnswer.Addresses addresses, int room)
      throws Exception {
    int recordBytes = -1;
    for (String ip : addresses.ipv4()) {
      DefaultDnsRawRecord record = new DefaultDnsRawRecord(name, DnsRecordType.A, addresses.ttlSeconds(),
          Unpooled.wrappedBuffer(NetUtil.createByteArrayFromIpAddressString(ip)));
      if (recordBytes < 0) {
        recordBytes = encodedSize(record, false); // the same for every A record of one name
      }
      if (room < recordBytes) {
        record.release();
        response.setTruncated(true);
        return;
      }
      room -= recordBytes;
      response.addRecord(DnsSection.ANSWER, record);
    }
  }

  /** The UDP payload size the query's EDNS OPT record offers, or null without one. */
  private static Integer ednsPayload(DnsQuery query) {
    for (int i = 0; i < query.count(DnsSection.ADDITIONAL); i++) {
      DnsRecord record = query.recordAt(DnsSection.ADDITIONAL, i);
      if (record.type() == DnsRecordType.OPT) {
        return record.dnsClass();
      }
    }
    return null;
  }

  /** Bytes the record takes on the wire, measured with Netty's own encoder. */
  private static int encodedSize(DnsRecord record, boolean question) throws Exception {
    ByteBuf scratch = Unpooled.buffer();
    try {
      if (question) {
        DnsRecordEncoder.DEFAULT.encodeQuestion((DnsQuestion) record, scratch);
      } else {
        DnsRecordEncoder.DEFAULT.encodeRecord(record, scratch);
      }
      return scratch.readableBytes();
    } finally {
      scratch.release();
    }
  }

  private static String plainName(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    return lower.endsWith(".") ? lower.substring(0, lower.length() - 1) : lower;
  }
}

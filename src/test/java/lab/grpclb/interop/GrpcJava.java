package lab.grpclb.interop;

import experiment.Experiment.HelloReply;
import experiment.Experiment.HelloRequest;
import io.grpc.MethodDescriptor;
import io.grpc.protobuf.ProtoUtils;

/** The wire contract as grpc-java sees it: built from the method's full name, not from our generated code. */
public final class GrpcJava {
  public static final MethodDescriptor<HelloRequest, HelloReply> SAY_HELLO = MethodDescriptor.<HelloRequest, HelloReply>newBuilder()
      .setType(MethodDescriptor.MethodType.UNARY)
      .setFullMethodName("experiment.Greeter/SayHello")
      .setRequestMarshaller(ProtoUtils.marshaller(HelloRequest.getDefaultInstance()))
      .setResponseMarshaller(ProtoUtils.marshaller(HelloReply.getDefaultInstance()))
      .build();

  private GrpcJava() {
  }
}

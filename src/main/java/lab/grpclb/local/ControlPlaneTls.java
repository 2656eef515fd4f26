package lab.grpclb.local;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.PemKeyCertOptions;
import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;

/**
 * The control plane's TLS, as a cluster's is: a CA made at start, and a serving certificate for 127.0.0.1 and
 * localhost that it signs. kubectl sends a kubeconfig's token only over TLS, and verifies the server against the
 * CA the kubeconfig carries; the lab's client verifies it as it does in a pod. Keys are ECDSA P-256 from the JDK;
 * the CA's private key never leaves this object, so nobody can sign another certificate with it after a restart.
 *
 * <p>No certificate builder is public in the JDK and none is on the classpath (BouncyCastle would add megabytes to
 * the jar; Netty's self-signed certificate has no subjectAltName, which Go's TLS requires, and is no CA), so the
 * certificates are encoded here ({@link Der}) and parsed and verified by the JDK before they are used.
 */
record ControlPlaneTls(X509Certificate ca, X509Certificate serving, PrivateKey servingKey) {
  /** Long enough for any run; the certificates die with the process that made them. */
  static final Duration VALIDITY = Duration.ofDays(365);
  private static final String SIGNATURE = "SHA256withECDSA";
  private static final String ECDSA_WITH_SHA256 = "1.2.840.10045.4.3.2";
  private static final String COMMON_NAME = "2.5.4.3";
  private static final String BASIC_CONSTRAINTS = "2.5.29.19";
  private static final String KEY_USAGE = "2.5.29.15";
  private static final String EXTENDED_KEY_USAGE = "2.5.29.37";
  private static final String SUBJECT_ALT_NAME = "2.5.29.17";
  private static final String SUBJECT_KEY_ID = "2.5.29.14";
  private static final String AUTHORITY_KEY_ID = "2.5.29.35";
  private static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
  /** keyUsage bits: digitalSignature (0), keyCertSign (5), cRLSign (6). */
  private static final int DIGITAL_SIGNATURE = 0x80;
  private static final int CERT_AND_CRL_SIGN = 0x06;

  /** A new CA and serving certificate; CPU work (key generation, signing): call it off the event loop. */
  static ControlPlaneTls generate() {
    try {
      SecureRandom random = new SecureRandom();
      KeyPair caKeys = keyPair(random);
      KeyPair servingKeys = keyPair(random);
      Instant now = Instant.now();
      byte[] caName = name("grpc-lb-lab local CA");
      byte[] caKeyId = keyId(caKeys.getPublic());
      X509Certificate ca = sign(caKeys.getPrivate(), tbs(random, caName, caName, now, caKeys.getPublic(),
          extension(BASIC_CONSTRAINTS, true, Der.sequence(Der.bool(true))),
          extension(KEY_USAGE, true, Der.namedBits(DIGITAL_SIGNATURE | CERT_AND_CRL_SIGN)),
          extension(SUBJECT_KEY_ID, false, Der.octetString(caKeyId))));
      X509Certificate serving = sign(caKeys.getPrivate(), tbs(random, caName, name("grpc-lb-lab control plane"), now,
          servingKeys.getPublic(),
          extension(BASIC_CONSTRAINTS, true, Der.sequence()),
          extension(KEY_USAGE, true, Der.namedBits(DIGITAL_SIGNATURE)),
          extension(EXTENDED_KEY_USAGE, false, Der.sequence(Der.oid(SERVER_AUTH))),
          extension(SUBJECT_ALT_NAME, false, Der.sequence(Der.implicit(7, new byte[] {127, 0, 0, 1}),
              Der.implicit(2, "localhost".getBytes(StandardCharsets.US_ASCII)))),
          extension(AUTHORITY_KEY_ID, false, Der.sequence(Der.implicit(0, caKeyId)))));
      serving.verify(caKeys.getPublic());
      return new ControlPlaneTls(ca, serving, servingKeys.getPrivate());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot make the control plane's TLS certificates: " + e.getMessage(), e);
    }
  }

  /** The server's key and certificate, for {@code HttpServerOptions.setKeyCertOptions}. */
  PemKeyCertOptions keyCert() {
    return new PemKeyCertOptions()
        .addKeyValue(Buffer.buffer(pem("PRIVATE KEY", servingKey.getEncoded())))
        .addCertValue(Buffer.buffer(pem("CERTIFICATE", encoded(serving))));
  }

  /** The CA certificate in PEM, what a client trusts (a pod's ca.crt, a kubeconfig's certificate-authority-data). */
  String caPem() {
    return pem("CERTIFICATE", encoded(ca));
  }

  private static KeyPair keyPair(SecureRandom random) throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"), random);
    return generator.generateKeyPair();
  }

  /** The certificate's body: version 3, a random positive serial, validity from an hour ago (clock skew). */
  private static byte[] tbs(SecureRandom random, byte[] issuer, byte[] subject, Instant now, PublicKey key,
                            byte[]... extensions) {
    return Der.sequence(
        Der.explicit(0, Der.integer(BigInteger.TWO)),
        Der.integer(new BigInteger(127, random).add(BigInteger.ONE)),
        Der.sequence(Der.oid(ECDSA_WITH_SHA256)),
        issuer,
        Der.sequence(Der.utcTime(now.minus(Duration.ofHours(1))), Der.utcTime(now.plus(VALIDITY))),
        subject,
        key.getEncoded(), // SubjectPublicKeyInfo, DER already
        Der.explicit(3, Der.sequence(extensions)));
  }

  private static X509Certificate sign(PrivateKey issuerKey, byte[] tbs) throws GeneralSecurityException {
    Signature signer = Signature.getInstance(SIGNATURE);
    signer.initSign(issuerKey);
    signer.update(tbs);
    byte[] certificate = Der.sequence(tbs, Der.sequence(Der.oid(ECDSA_WITH_SHA256)), Der.bitString(signer.sign()));
    return (X509Certificate) CertificateFactory.getInstance("X.509")
        .generateCertificate(new ByteArrayInputStream(certificate));
  }

  private static byte[] name(String commonName) {
    return Der.sequence(Der.set(Der.sequence(Der.oid(COMMON_NAME), Der.utf8(commonName))));
  }

  private static byte[] extension(String oid, boolean critical, byte[] value) {
    return critical ? Der.sequence(Der.oid(oid), Der.bool(true), Der.octetString(value))
        : Der.sequence(Der.oid(oid), Der.octetString(value));
  }

  /** RFC 5280's method 1 needs the key's bits alone; the SHA-1 of the whole encoded key serves as well here. */
  private static byte[] keyId(PublicKey key) throws GeneralSecurityException {
    return MessageDigest.getInstance("SHA-1").digest(key.getEncoded());
  }

  private static byte[] encoded(X509Certificate certificate) {
    try {
      return certificate.getEncoded();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }
}

package dev.dabba.agent.internal.mqtt;

import dev.dabba.agent.AgentConfig.TlsSettings;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

/** Builds the TLS socket factory for {@code ssl://} brokers from PEM files, with or without a client certificate. */
public final class Tls {

    private Tls() {
    }

    /**
     * A socket factory trusting {@code caFile} (or the JVM's CAs) and presenting {@code certFile}/{@code keyFile}
     * when set.
     *
     * @throws IllegalArgumentException naming the setting and file when a file is missing or unreadable
     */
    public static SSLSocketFactory socketFactory(TlsSettings tls) {
        try {
            TrustManagerFactory tmf = null;
            if (tls.caFile() != null) {
                KeyStore trust = KeyStore.getInstance("PKCS12");
                trust.load(null, null);
                int i = 0;
                for (Certificate c : certificates(tls.caFile(), "mqtt.tls.caFile")) {
                    trust.setCertificateEntry("ca-" + i++, c);
                }
                tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(trust);
            }
            KeyManagerFactory kmf = null;
            if (tls.mutual()) {
                List<Certificate> chain = certificates(tls.certFile(), "mqtt.tls.certFile");
                PrivateKey key = privateKey(tls.keyFile());
                KeyStore keys = KeyStore.getInstance("PKCS12");
                keys.load(null, null);
                char[] none = new char[0];
                keys.setKeyEntry("client", key, none, chain.toArray(new Certificate[0]));
                kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(keys, none);
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(kmf == null ? null : kmf.getKeyManagers(), tmf == null ? null : tmf.getTrustManagers(),
                    null);
            return context.getSocketFactory();
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException("mqtt.tls: cannot set up TLS: " + e.getMessage(), e);
        }
    }

    private static List<Certificate> certificates(Path file, String field) throws IOException,
            GeneralSecurityException {
        if (!Files.isReadable(file)) {
            throw new IllegalArgumentException(field + ": cannot read " + file);
        }
        try (InputStream in = Files.newInputStream(file)) {
            Collection<? extends Certificate> certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (certs.isEmpty()) {
                throw new IllegalArgumentException(field + ": " + file + " holds no PEM certificate");
            }
            return new ArrayList<>(certs);
        } catch (java.security.cert.CertificateException e) {
            throw new IllegalArgumentException(field + ": " + file + " is not a PEM certificate: " + e.getMessage(), e);
        }
    }

    private static PrivateKey privateKey(Path file) throws IOException {
        if (!Files.isReadable(file)) {
            throw new IllegalArgumentException("mqtt.tls.keyFile: cannot read " + file);
        }
        String pem = Files.readString(file, StandardCharsets.US_ASCII);
        if (pem.contains("BEGIN RSA PRIVATE KEY") || pem.contains("BEGIN EC PRIVATE KEY")
                || pem.contains("ENCRYPTED PRIVATE KEY")) {
            throw new IllegalArgumentException("mqtt.tls.keyFile: " + file + " must be an unencrypted PKCS#8 key "
                    + "(-----BEGIN PRIVATE KEY-----); convert it with: openssl pkcs8 -topk8 -nocrypt -in OLD -out NEW");
        }
        int begin = pem.indexOf("-----BEGIN PRIVATE KEY-----");
        int end = pem.indexOf("-----END PRIVATE KEY-----");
        if (begin < 0 || end < begin) {
            throw new IllegalArgumentException("mqtt.tls.keyFile: " + file + " holds no PEM private key");
        }
        byte[] der = Base64.getMimeDecoder().decode(pem.substring(begin + 27, end));
        for (String algorithm : new String[] {"RSA", "EC", "Ed25519"}) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                // try the next algorithm
            }
        }
        throw new IllegalArgumentException("mqtt.tls.keyFile: " + file + " is not an RSA, EC or Ed25519 key");
    }
}

package dev.dabba.reliability.security;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A throwaway certificate authority made with the machine's {@code openssl}: a CA, a server certificate for
 * 127.0.0.1/localhost, and client certificates, as PEM files (keys in PKCS#8), plus PKCS#12 and JKS stores for Java.
 */
final class Pki {

    static final Path OPENSSL = Path.of("/usr/bin/openssl");
    static final String STORE_PASSWORD = "changeit";

    private final Path dir;

    private Pki(Path dir) {
        this.dir = dir;
    }

    static boolean available() {
        return Files.isExecutable(OPENSSL);
    }

    /** A new CA in {@code dir} ({@code ca.crt}, {@code ca.key}) and a server certificate ({@code server.*}). */
    static Pki create(Path dir) throws IOException, InterruptedException {
        Pki pki = new Pki(dir);
        pki.run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt", "-days", "2",
                "-subj", "/CN=Dabba test CA");
        pki.issue("server", "localhost", "subjectAltName=IP:127.0.0.1,DNS:localhost");
        return pki;
    }

    /** Issues {@code NAME.crt} and {@code NAME.key} signed by the CA. */
    void issue(String name, String commonName, String extension) throws IOException, InterruptedException {
        Files.writeString(dir.resolve(name + ".ext"), extension + "\n");
        run("req", "-newkey", "rsa:2048", "-nodes", "-keyout", name + ".key", "-out", name + ".csr", "-subj",
                "/CN=" + commonName);
        run("x509", "-req", "-in", name + ".csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-out",
                name + ".crt", "-days", "2", "-extfile", name + ".ext");
        run("pkcs12", "-export", "-in", name + ".crt", "-inkey", name + ".key", "-name", name, "-out", name + ".p12",
                "-passout", "pass:" + STORE_PASSWORD);
    }

    /** A self-signed certificate and key from another CA, which the broker must not trust. */
    void issueSelfSigned(String name) throws IOException, InterruptedException {
        run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", name + ".key", "-out", name + ".crt",
                "-days", "2", "-subj", "/CN=" + name);
        run("pkcs12", "-export", "-in", name + ".crt", "-inkey", name + ".key", "-name", name, "-out", name + ".p12",
                "-passout", "pass:" + STORE_PASSWORD);
    }

    Path file(String name) {
        return dir.resolve(name);
    }

    /** A PKCS#12 trust store holding the CA certificate. */
    Path trustStore() throws Exception {
        Path p = dir.resolve("truststore.p12");
        if (!Files.exists(p)) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            try (InputStream in = Files.newInputStream(dir.resolve("ca.crt"))) {
                ks.setCertificateEntry("dabba-ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
            }
            try (var out = Files.newOutputStream(p)) {
                ks.store(out, STORE_PASSWORD.toCharArray());
            }
        }
        return p;
    }

    /** A TLS context trusting the CA and, if {@code client} is not null, presenting {@code client.p12}. */
    SSLContext context(String client) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(trustStore())) {
            trust.load(in, STORE_PASSWORD.toCharArray());
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        KeyManagerFactory kmf = null;
        if (client != null) {
            KeyStore keys = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(dir.resolve(client + ".p12"))) {
                keys.load(in, STORE_PASSWORD.toCharArray());
            }
            kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, STORE_PASSWORD.toCharArray());
        }
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return ctx;
    }

    private void run(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(OPENSSL.toString());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("openssl " + String.join(" ", args) + " failed: "
                    + new String(out, StandardCharsets.UTF_8));
        }
    }
}

package io.lb.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A self-signed certificate for {@code localhost} and {@code 127.0.0.1}, made once per test JVM with the JDK's
 * {@code keytool} command (no extra dependency), and written as PEM files the Quarkus way expects them.
 */
public final class TestCertificates {

    private static final String PASSWORD = "changeit";
    private static final String LOOPBACK_NAMES = "dns:localhost,ip:127.0.0.1";
    private static TestCertificates instance;

    private final Path certificate;
    private final Path key;
    private final Path otherCertificate;
    private final Path otherKey;
    private final Path[] elsewhere;

    private TestCertificates(Path certificate, Path key, Path otherCertificate, Path otherKey, Path[] elsewhere) {
        this.certificate = certificate;
        this.key = key;
        this.otherCertificate = otherCertificate;
        this.otherKey = otherKey;
        this.elsewhere = elsewhere;
    }

    public static synchronized TestCertificates get() {
        if (instance == null) {
            try {
                Path dir = Files.createTempDirectory("lb-test-certs");
                dir.toFile().deleteOnExit();
                Path[] localhost = generate(dir, "localhost", LOOPBACK_NAMES);
                Path[] other = generate(dir, "other", LOOPBACK_NAMES);
                Path[] elsewhere = generate(dir, "elsewhere", "dns:elsewhere.invalid");
                instance = new TestCertificates(localhost[0], localhost[1], other[0], other[1], elsewhere);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        return instance;
    }

    /** PEM certificate for localhost / 127.0.0.1. */
    public Path certificate() {
        return certificate;
    }

    /** PEM (PKCS#8) private key of {@link #certificate()}. */
    public Path key() {
        return key;
    }

    /** An unrelated self-signed certificate: trusting it does not make {@link #certificate()} trusted. */
    public Path otherCertificate() {
        return otherCertificate;
    }

    /** PEM (PKCS#8) private key of {@link #otherCertificate()} (subject CN=other, also valid for localhost). */
    public Path otherKey() {
        return otherKey;
    }

    /** A certificate for elsewhere.invalid only: trusted or not, it is the wrong one for a loopback backend. */
    public Path wrongNameCertificate() {
        return elsewhere[0];
    }

    /** PEM (PKCS#8) private key of {@link #wrongNameCertificate()}. */
    public Path wrongNameKey() {
        return elsewhere[1];
    }

    /** An SSL context that trusts {@link #certificate()} only. */
    public SSLContext trustingContext() {
        try (InputStream in = Files.newInputStream(certificate)) {
            X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("lb-test", cert);
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(trust);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, factory.getTrustManagers(), null);
            return context;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** An SSL context that presents {@link #certificate()}, for test servers that are not Vert.x ones. */
    public SSLContext serverContext() {
        try (InputStream in = Files.newInputStream(certificate)) {
            X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
            String pem = Files.readString(key).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
            PrivateKey privateKey = java.security.KeyFactory.getInstance("RSA")
                    .generatePrivate(new java.security.spec.PKCS8EncodedKeySpec(Base64.getDecoder().decode(pem)));
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("lb-test", privateKey, PASSWORD.toCharArray(), new Certificate[] { cert });
            javax.net.ssl.KeyManagerFactory keys = javax.net.ssl.KeyManagerFactory
                    .getInstance(javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
            keys.init(store, PASSWORD.toCharArray());
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys.getKeyManagers(), null, null);
            return context;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static Path[] generate(Path dir, String alias, String names) throws IOException, InterruptedException {
        Path store = dir.resolve(alias + ".p12");
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        Process process = new ProcessBuilder(keytool, "-genkeypair", "-alias", alias, "-keyalg", "RSA", "-keysize",
                "2048", "-validity", "2", "-dname", "CN=" + alias, "-ext", "SAN=" + names,
                "-storetype", "PKCS12", "-keystore", store.toString(), "-storepass", PASSWORD, "-keypass", PASSWORD)
                .redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IllegalStateException("keytool failed: " + output);
        }
        try (InputStream in = Files.newInputStream(store)) {
            KeyStore keyStore = KeyStore.getInstance("PKCS12");
            keyStore.load(in, PASSWORD.toCharArray());
            Certificate cert = keyStore.getCertificate(alias);
            PrivateKey privateKey = (PrivateKey) keyStore.getKey(alias, PASSWORD.toCharArray());
            Path certFile = dir.resolve(alias + "-cert.pem");
            Path keyFile = dir.resolve(alias + "-key.pem");
            Files.writeString(certFile, pem("CERTIFICATE", cert.getEncoded()));
            Files.writeString(keyFile, pem("PRIVATE KEY", privateKey.getEncoded()));
            return new Path[] { certFile, keyFile };
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(der) + "\n-----END " + type + "-----\n";
    }
}

package io.lb.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import io.lb.protocols.TlsTestProfile;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.tls.TlsConfigurationRegistry;
import io.quarkus.vertx.http.runtime.VertxHttpConfig;
import io.smallrye.config.SmallRyeConfig;
import io.vertx.core.http.HttpServerOptions;

/**
 * What Quarkus' HTTP runtime classes give {@link QuarkusHttpSettings}, checked against the settings of the test
 * profile: a Quarkus upgrade that changes them fails here, naming what changed, rather than in a distant test.
 */
@QuarkusTest
@TestProfile(TlsTestProfile.class)
class QuarkusHttpSettingsTest {

    @Inject
    TlsConfigurationRegistry tlsRegistry;

    @Test
    void listenerOnConfigAnswersEveryOtherSettingAsTheRealOne() throws Exception {
        VertxHttpConfig real = ConfigProvider.getConfig().unwrap(SmallRyeConfig.class)
                .getConfigMapping(VertxHttpConfig.class);
        VertxHttpConfig listenerOn = new ListenerOnHttpConfig(real);
        assertTrue(listenerOn.hostEnabled());
        for (Method method : VertxHttpConfig.class.getMethods()) {
            if (method.getParameterCount() > 0 || method.isDefault() || Modifier.isStatic(method.getModifiers())
                    || method.getName().equals("hostEnabled")) {
                continue;
            }
            assertEquals(method.invoke(real), method.invoke(listenerOn), method.getName() + "() differs");
        }
    }

    @Test
    void tlsListenerHasTheConfiguredCertificateHttp2AndTimeouts() throws Exception {
        HttpServerOptions tls = QuarkusHttpSettings.current().tlsOptions(tlsRegistry);
        assertNotNull(tls, "no TLS options although quarkus.http.ssl.certificate.files is set");
        assertTrue(tls.isSsl());
        assertNotNull(tls.getKeyCertOptions(), "the certificate of quarkus.http.ssl.certificate.files");
        assertTrue(tls.isUseAlpn(), "HTTP/2 through ALPN (quarkus.http.http2 defaults to true)");
        assertEquals(75_000, tls.getIdleTimeoutUnit().toMillis(tls.getIdleTimeout()), "quarkus.http.idle-timeout");
    }

    @Test
    void plainListenerHasARandomTestPortLimitsAndTimeouts() {
        QuarkusHttpSettings settings = QuarkusHttpSettings.current();
        assertEquals(QuarkusHttpSettings.PlainListener.SERVE, settings.plainListener());
        HttpServerOptions plain = settings.plainOptions();
        assertEquals(-1, plain.getPort(), "quarkus.http.test-port=0 asks Vert.x for a random port");
        assertEquals(75_000, plain.getIdleTimeoutUnit().toMillis(plain.getIdleTimeout()), "quarkus.http.idle-timeout");
        assertEquals(20 * 1024, plain.getMaxHeaderSize(),
                "quarkus.http.limits.max-header-size");
        assertEquals(4096, plain.getMaxInitialLineLength(), "quarkus.http.limits.max-initial-line-length");
    }
}

package io.lb.hostile;

import io.lb.protocols.TlsTestProfile;
import io.lb.testing.CorpusBackend;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * The corpus again, with the backend behind TLS: the rule that a backend connection is reused only when it is
 * byte for byte clean holds whichever transport carries the bytes (issue 24). The profile is the TLS tests' own
 * (it adds the backend trust store), so that no extra application start is needed for it.
 */
@QuarkusTest
@TestProfile(TlsTestProfile.class)
class MalformedResponseCorpusTlsTest extends MalformedResponseCorpusTest {

    @Override
    protected CorpusBackend startBackend() {
        return CorpusBackend.start(true);
    }

    /** Fewer than over plain HTTP: every spoiled connection costs a new handshake (the mix took 31 s at 300). */
    @Override
    protected int requestsPerClient() {
        return 100;
    }
}

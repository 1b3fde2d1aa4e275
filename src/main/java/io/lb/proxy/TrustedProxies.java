package io.lb.proxy;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

import io.lb.config.InvalidConfigException;
import io.vertx.core.net.SocketAddress;

/**
 * The peers whose {@code X-Forwarded-Proto} and {@code X-Forwarded-Host} are believed (a TLS-terminating
 * proxy or CDN in front of the balancer), as CIDR blocks. Everyone else's are overwritten.
 */
public final class TrustedProxies {

    static final String KEY = "lb.forwarded.trusted-proxies";

    private record Block(byte[] network, int prefixBits) {
        boolean contains(byte[] address) {
            if (address.length != network.length) {
                return false;
            }
            int fullBytes = prefixBits / 8;
            for (int i = 0; i < fullBytes; i++) {
                if (address[i] != network[i]) {
                    return false;
                }
            }
            int rest = prefixBits % 8;
            if (rest == 0) {
                return true;
            }
            int mask = 0xFF << (8 - rest);
            return (address[fullBytes] & mask) == (network[fullBytes] & mask);
        }
    }

    private final List<Block> blocks;

    private TrustedProxies(List<Block> blocks) {
        this.blocks = blocks;
    }

    public static TrustedProxies parse(List<String> cidrs) {
        List<Block> blocks = new ArrayList<>();
        for (String cidr : cidrs) {
            String text = cidr.trim();
            if (!text.isEmpty()) {
                blocks.add(block(text));
            }
        }
        return new TrustedProxies(List.copyOf(blocks));
    }

    boolean isEmpty() {
        return blocks.isEmpty();
    }

    boolean trusts(SocketAddress peer) {
        if (blocks.isEmpty() || peer == null || peer.hostAddress() == null) {
            return false;
        }
        // hostAddress() is a literal IP, so this never resolves a name
        return trusts(peer.hostAddress());
    }

    /** Whether {@code ip}, an address written as an IP literal, is in a trusted block; a name never is. */
    boolean trusts(String ip) {
        if (blocks.isEmpty() || !ForwardedHeaders.isIpLiteral(ip)) {
            return false;
        }
        byte[] address;
        try {
            address = InetAddress.getByName(ip).getAddress();
        } catch (UnknownHostException e) {
            return false;
        }
        for (Block block : blocks) {
            if (block.contains(address)) {
                return true;
            }
        }
        return false;
    }

    private static Block block(String cidr) {
        int slash = cidr.indexOf('/');
        String ip = slash < 0 ? cidr : cidr.substring(0, slash);
        if (!ip.matches("[0-9a-fA-F:.]+")) {
            throw invalid(cidr, "not an IP address or CIDR block");
        }
        byte[] network;
        try {
            network = InetAddress.getByName(ip).getAddress();
        } catch (UnknownHostException e) {
            throw invalid(cidr, "not an IP address or CIDR block");
        }
        int bits = network.length * 8;
        if (slash >= 0) {
            try {
                bits = Integer.parseInt(cidr.substring(slash + 1));
            } catch (NumberFormatException e) {
                throw invalid(cidr, "prefix length is not a number");
            }
            if (bits < 0 || bits > network.length * 8) {
                throw invalid(cidr, "prefix length out of range 0-" + network.length * 8);
            }
        }
        return new Block(network, bits);
    }

    private static InvalidConfigException invalid(String value, String why) {
        return new InvalidConfigException(KEY + ": invalid value '" + value + "': " + why);
    }
}

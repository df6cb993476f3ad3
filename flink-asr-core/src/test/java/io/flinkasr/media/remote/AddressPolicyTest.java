package io.flinkasr.media.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class AddressPolicyTest {
    private static final AddressPolicy NOTHING_ALLOW_LISTED = new AddressPolicy(List.of(), List.of(80, 443), List.of());

    @Test
    void permitsPublicAddressesOnAllowedPortsOnly() throws Exception {
        assertThat(NOTHING_ALLOW_LISTED.permits(address("93.184.216.34"), 443)).isTrue();
        assertThat(NOTHING_ALLOW_LISTED.permits(address("2606:2800:220:1:248:1893:25c8:1946"), 80)).isTrue();
        assertThat(NOTHING_ALLOW_LISTED.permits(address("93.184.216.34"), 22)).isFalse();
    }

    @Test
    void refusesEveryAddressThatIsNotPublic() throws Exception {
        for (String notPublic : List.of(
                "0.0.0.0", "0.1.2.3", "10.0.0.1", "100.64.0.1", "100.127.255.254", "127.0.0.1", "127.255.255.254",
                "169.254.169.254", "172.16.0.1", "172.31.255.254", "192.0.0.8", "192.0.2.1", "192.168.0.1",
                "198.18.0.1", "198.51.100.7", "203.0.113.9", "224.0.0.1", "239.255.255.250", "240.0.0.1",
                "255.255.255.255",
                "::", "::1", "::ffff:127.0.0.1", "::ffff:10.1.2.3", "::127.0.0.1", "64:ff9b::a9fe:a9fe",
                "2002:7f00:1::", "2001:db8::1", "2001::1", "fc00::1", "fd12:3456::1", "fe80::1", "fec0::1",
                "ff02::1", "100::1")) {
            assertThat(NOTHING_ALLOW_LISTED.permits(address(notPublic), 80)).as(notPublic).isFalse();
        }
        for (String edge : List.of("9.255.255.255", "11.0.0.0", "100.63.255.255", "100.128.0.0", "172.15.255.255",
                "172.32.0.0", "192.167.255.255", "192.169.0.0", "169.253.255.255", "::ffff:8.8.8.8", "2002:808:808::")) {
            assertThat(NOTHING_ALLOW_LISTED.permits(address(edge), 80)).as(edge).isTrue();
        }
    }

    @Test
    void permitsAllowListedBlocksOnTheAllowedPortsOnly() throws Exception {
        AddressPolicy policy = new AddressPolicy(List.of("10.1.0.0/16", "127.0.0.1", "fd00::/8"), List.of(443, 9000), List.of());

        assertThat(policy.permits(address("10.1.200.3"), 9000)).isTrue();
        assertThat(policy.permits(address("10.2.0.1"), 443)).isFalse();
        assertThat(policy.permits(address("127.0.0.1"), 443)).isTrue();
        assertThat(policy.permits(address("::ffff:127.0.0.1"), 9000)).isTrue();
        assertThat(policy.permits(address("127.0.0.2"), 443)).isFalse();
        assertThat(policy.permits(address("fd00::5"), 443)).isTrue();
        // the attack: another port of an allow-listed address (the API's, Flink's REST port)
        for (int other : new int[] {8080, 8081, 9092, 22}) {
            assertThat(policy.permits(address("127.0.0.1"), other)).as("port " + other).isFalse();
            assertThat(policy.permits(address("::ffff:127.0.0.1"), other)).as("port " + other).isFalse();
            assertThat(policy.permits(address("10.1.200.3"), other)).as("port " + other).isFalse();
        }
    }

    @Test
    void neverPermitsTheServicesOwnPortsOnAddressesThatAreNotPublic() throws Exception {
        AddressPolicy policy = new AddressPolicy(List.of("127.0.0.0/8", "10.0.0.0/8"), List.of(443, 8080), List.of(8080));

        assertThat(policy.permits(address("127.0.0.1"), 8080)).isFalse();
        assertThat(policy.permits(address("10.0.0.7"), 8080)).isFalse();
        assertThat(policy.permits(address("127.0.0.1"), 443)).isTrue();
        assertThat(policy.permits(address("93.184.216.34"), 8080)).as("a public server on that port is not ours").isTrue();
    }

    @Test
    void readsOnlyLiteralBlocks() {
        assertThat(AddressBlock.parse("10.0.0.0/8").contains(literal("10.255.0.1"))).isTrue();
        assertThat(AddressBlock.parse("10.0.0.0/8").contains(literal("11.0.0.1"))).isFalse();
        assertThat(AddressBlock.parse("::ffff:10.0.0.0/104").contains(literal("10.9.9.9"))).isTrue();
        assertThat(AddressBlock.parse("fe80::/10").contains(literal("febf::1"))).isTrue();
        for (String bad : List.of("localhost", "example.com/8", "10.0.0.0/33", "10.0.0/8", "::1/129", "10.0.0.0/x", "")) {
            assertThatThrownBy(() -> AddressBlock.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void writesNumericHostsAsDottedDecimal() {
        assertThat(NumericHost.canonical("127.0.0.1")).isEqualTo("127.0.0.1");
        assertThat(NumericHost.canonical("127.1")).isEqualTo("127.0.0.1");
        assertThat(NumericHost.canonical("2130706433")).isEqualTo("127.0.0.1");
        assertThat(NumericHost.canonical("0x7f000001")).isEqualTo("127.0.0.1");
        assertThat(NumericHost.canonical("0X7F.0.0.1")).isEqualTo("127.0.0.1");
        assertThat(NumericHost.canonical("0177.0.0.01")).isEqualTo("127.0.0.1");
        assertThat(NumericHost.canonical("169.254.43518")).isEqualTo("169.254.169.254");
        assertThat(NumericHost.canonical("8.8.8.8.")).isEqualTo("8.8.8.8");
        assertThat(NumericHost.canonical("media.example.com")).isEqualTo("media.example.com");
        assertThat(NumericHost.canonical("0x7f.example")).isEqualTo("0x7f.example");
        for (String bad : List.of("1.2.3.256", "1.2.3.4.5", "256.1", "4294967296", "09.0.0.1", "foo.123", "1..2")) {
            assertThatThrownBy(() -> NumericHost.canonical(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void readsContentRanges() {
        assertThat(ContentRange.parse("bytes 0-99/1234")).isEqualTo(new ContentRange(0, 1234));
        assertThat(ContentRange.parse("bytes 100-199/*")).isEqualTo(new ContentRange(100, -1));
        assertThat(ContentRange.parse("bytes */1234")).isEqualTo(new ContentRange(-1, 1234));
        assertThat(ContentRange.parse("bytes 0--1/0")).isEqualTo(new ContentRange(0, 0));
        assertThat(ContentRange.parse(null)).isNull();
        assertThat(ContentRange.parse("items 0-1/2")).isNull();
    }

    private static InetAddress address(String literal) throws Exception {
        return InetAddress.getByName(literal);
    }

    private static InetAddress literal(String literal) {
        return AddressBlock.literal(literal);
    }
}

package io.flinkasr.media.remote;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a URL host that is an IPv4 address written as numbers, in any of the forms browsers and C
 * resolvers accept ({@code 127.0.0.1}, {@code 127.1}, {@code 2130706433}, {@code 0x7f000001},
 * {@code 0177.0.0.1}), following the WHATWG URL standard's IPv4 parser. Such hosts are rewritten to
 * dotted decimal before they are checked, so that the address judged is the address connected to,
 * whichever resolver would otherwise have read them.
 */
final class NumericHost {
    private NumericHost() {}

    /**
     * The host as four dotted decimal numbers if it is a numeric IPv4 host; the host unchanged if it is a
     * name (its last label is not a number).
     *
     * @throws IllegalArgumentException if it ends in a number but is not a valid IPv4 address
     */
    static String canonical(String host) {
        String h = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
        String[] parts = h.split("\\.", -1);
        String last = parts[parts.length - 1];
        if (last.isEmpty() || parse(last) == null) {
            return host;
        }
        if (parts.length > 4) {
            throw new IllegalArgumentException("not an IPv4 address");
        }
        List<BigInteger> numbers = new ArrayList<>();
        for (String part : parts) {
            BigInteger n = parse(part);
            if (n == null) {
                throw new IllegalArgumentException("not an IPv4 address");
            }
            numbers.add(n);
        }
        long value = 0;
        for (int i = 0; i < numbers.size() - 1; i++) {
            if (numbers.get(i).compareTo(BigInteger.valueOf(255)) > 0) {
                throw new IllegalArgumentException("not an IPv4 address");
            }
            value |= numbers.get(i).longValue() << (8 * (3 - i));
        }
        BigInteger rest = numbers.get(numbers.size() - 1);
        if (rest.compareTo(BigInteger.ONE.shiftLeft(8 * (5 - numbers.size()))) >= 0) {
            throw new IllegalArgumentException("not an IPv4 address");
        }
        value |= rest.longValue();
        return ((value >> 24) & 0xff) + "." + ((value >> 16) & 0xff) + "." + ((value >> 8) & 0xff) + "." + (value & 0xff);
    }

    /** One part: 0x-hexadecimal, 0-octal or decimal; null if it is not a number. */
    private static BigInteger parse(String part) {
        if (part.isEmpty()) {
            return null;
        }
        int radix = 10;
        String digits = part;
        if (part.length() >= 2 && (part.startsWith("0x") || part.startsWith("0X"))) {
            radix = 16;
            digits = part.substring(2);
        } else if (part.length() >= 2 && part.startsWith("0")) {
            radix = 8;
            digits = part.substring(1);
        }
        if (digits.isEmpty()) {
            return BigInteger.ZERO;
        }
        for (char c : digits.toCharArray()) {
            if (c > 127 || Character.digit(c, radix) < 0) {
                return null;
            }
        }
        return new BigInteger(digits, radix);
    }
}

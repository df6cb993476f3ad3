package io.flinkasr.api.store;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The byte keys of the store's indexes. Numbers are big-endian, so RocksDB's byte order is their order
 * (times and user ids are never negative).
 */
final class StoreKeys {
    private StoreKeys() {}

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String string(byte[] b, int from) {
        return new String(b, from, b.length - from, StandardCharsets.UTF_8);
    }

    /** userId, createTime, JobId: a tenant's jobs in creation order. */
    static byte[] tenantJob(long userId, long createTime, String jobId) {
        byte[] id = utf8(jobId);
        return ByteBuffer.allocate(16 + id.length).putLong(userId).putLong(createTime).put(id).array();
    }

    /** The first key after every key of the tenant. */
    static byte[] tenantEnd(long userId) {
        return ByteBuffer.allocate(8).putLong(userId + 1).array();
    }

    static byte[] tenant(long userId) {
        return ByteBuffer.allocate(8).putLong(userId).array();
    }

    /** A time, then an id: the creation (all tenants) and end-time indexes, and assets by last change. */
    static byte[] timed(long time, String id) {
        byte[] b = utf8(id);
        return ByteBuffer.allocate(8 + b.length).putLong(time).put(b).array();
    }

    static long time(byte[] key) {
        return ByteBuffer.wrap(key, 0, 8).getLong();
    }

    static String idAfterTime(byte[] key) {
        return string(key, 8);
    }

    static String jobIdOfTenantKey(byte[] key) {
        return string(key, 16);
    }

    /** userId, InputURL: a tenant's asset of a URL. */
    static byte[] tenantUrl(long userId, String url) {
        byte[] b = utf8(url);
        return ByteBuffer.allocate(8 + b.length).putLong(userId).put(b).array();
    }

    static byte[] longBytes(long v) {
        return ByteBuffer.allocate(8).putLong(v).array();
    }

    static long longOf(byte[] b) {
        return b == null ? 0 : ByteBuffer.wrap(b).getLong();
    }

    static boolean startsWith(byte[] key, byte[] prefix) {
        return key.length >= prefix.length && Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length);
    }
}

package io.flinkasr.api.store;

/** The next offset to read of a topic partition, written in the same batch as what its record changed. */
public record StoreOffset(String topic, int partition, long next) {
    byte[] key() {
        return StoreKeys.utf8("offset/" + topic + "/" + partition);
    }

    static boolean isKey(byte[] key) {
        return StoreKeys.startsWith(key, StoreKeys.utf8("offset/"));
    }

    /** The topic and partition of an offset key, and the value stored under it. */
    static StoreOffset of(byte[] key, byte[] value) {
        String name = StoreKeys.string(key, "offset/".length());
        int slash = name.lastIndexOf('/');
        return new StoreOffset(name.substring(0, slash), Integer.parseInt(name.substring(slash + 1)), StoreKeys.longOf(value));
    }
}

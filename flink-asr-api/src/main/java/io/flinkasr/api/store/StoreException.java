package io.flinkasr.api.store;

import org.rocksdb.RocksDBException;

/** A read of the job store failed (its disk or files); the API answers it as a temporary failure. */
public final class StoreException extends RuntimeException {
    StoreException(RocksDBException cause) {
        super("The job store could not read: " + cause.getMessage(), cause);
    }
}

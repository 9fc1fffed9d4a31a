package io.leakwatch.store;

/** The store cannot be opened or migrated; the message names the store, never its password. */
public final class StoreException extends RuntimeException {
  public StoreException(String message, Throwable cause) {
    super(message, cause);
  }
}

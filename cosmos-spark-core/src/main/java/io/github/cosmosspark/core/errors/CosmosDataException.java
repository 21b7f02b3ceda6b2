package io.github.cosmosspark.core.errors;

/**
 * Data the table cannot take: a DataFrame whose schema does not fit the table (refused while the
 * write is planned, before any task runs), or a row without its primary key or over Cosmos's size
 * limit (found in the task that writes it; the message says which rows landed). The message names
 * the table, the column or the row's key, never a secret.
 */
public final class CosmosDataException extends CosmosSparkException {
  private static final long serialVersionUID = 1L;

  public CosmosDataException(String message) {
    super(message);
  }

  public CosmosDataException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public Kind kind() {
    return Kind.DATA;
  }
}

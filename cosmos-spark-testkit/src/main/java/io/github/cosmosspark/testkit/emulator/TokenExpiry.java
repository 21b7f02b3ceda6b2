package io.github.cosmosspark.testkit.emulator;

/**
 * What the emulator does to a connection that logged in with a Microsoft Entra ID token once the
 * token expires. What Cosmos does is not published (docs/cosmos-behaviour.md): the CQL protocol has
 * no way to log in again on an open connection, so a server can only keep it, close it or refuse
 * what comes on it. Each choice is here so that a client can be tested against all three.
 */
public enum TokenExpiry {
  /** The token is checked at login only; the connection lives on. */
  KEEP_CONNECTION,
  /**
   * The connection is closed when the token expires, requests in flight on it included; the client
   * must open a new one with a fresh token. The emulator's default.
   */
  CLOSE_CONNECTION,
  /**
   * The connection stays open but every request on it after the expiry is refused with {@code
   * Unauthorized}, heartbeats ({@code OPTIONS}) excepted.
   */
  REFUSE_REQUESTS
}

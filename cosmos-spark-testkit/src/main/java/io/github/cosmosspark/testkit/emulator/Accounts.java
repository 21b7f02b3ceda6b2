package io.github.cosmosspark.testkit.emulator;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The account clients log in to: its two keys, a read-write key and a read-only one, as a Cosmos
 * account has, and, when the account uses Microsoft Entra ID, the tokens it trusts ({@link
 * EntraTokens}). The user name is the account name, matched without regard to case, with a key and
 * with a token alike.
 */
final class Accounts {

  /** What a login may do. */
  enum Access {
    READ_WRITE,
    READ_ONLY,
    DENIED
  }

  /** The outcome of one login. */
  static final class Login {
    final Access access;
    // Why a denied login was refused: the text of the AUTH_ERROR the client gets.
    final String refusal;
    // What a READ_ONLY login's writes are refused with.
    final String writeRefusal;
    // When the login's token expires (epoch milliseconds); Long.MAX_VALUE for a key.
    final long expiresAtMillis;

    private Login(Access access, String refusal, String writeRefusal, long expiresAtMillis) {
      this.access = access;
      this.refusal = refusal;
      this.writeRefusal = writeRefusal;
      this.expiresAtMillis = expiresAtMillis;
    }

    static Login denied(String refusal) {
      return new Login(Access.DENIED, refusal, null, 0);
    }

    static Login granted(Access access, String writeRefusal, long expiresAtMillis) {
      return new Login(access, null, writeRefusal, expiresAtMillis);
    }

    boolean byToken() {
      return expiresAtMillis != Long.MAX_VALUE;
    }
  }

  private static final String READ_ONLY_KEY_WRITE =
      "Operation not allowed with a read-only key: writes, schema changes and batches"
          + " need the account's read-write key";

  private final String account;
  private final String key;
  private final String readOnlyKey;
  // Null unless the account trusts Microsoft Entra ID tokens.
  private final EntraTokens entra;
  private final boolean localAuthDisabled;
  private final TokenExpiry tokenExpiry;

  /**
   * Connections closed because their login's token expired ({@link TokenExpiry#CLOSE_CONNECTION}).
   */
  final AtomicLong tokenExpiryClosed = new AtomicLong();

  Accounts(
      String account,
      String key,
      String readOnlyKey,
      EntraTokens entra,
      boolean localAuthDisabled,
      TokenExpiry tokenExpiry) {
    this.account = account;
    this.key = key;
    this.readOnlyKey = readOnlyKey;
    this.entra = entra;
    this.localAuthDisabled = localAuthDisabled;
    this.tokenExpiry = tokenExpiry;
  }

  TokenExpiry tokenExpiry() {
    return tokenExpiry;
  }

  String account() {
    return account;
  }

  String key() {
    return key;
  }

  String readOnlyKey() {
    return readOnlyKey;
  }

  boolean localAuthDisabled() {
    return localAuthDisabled;
  }

  /** What {@code user} may do with {@code password} (a key or an Entra token) at {@code now}. */
  Login login(String user, String password, long nowMillis) {
    if (!account.equalsIgnoreCase(user)) {
      return Login.denied(incorrect(user));
    }
    if (entra != null && EntraTokens.looksLikeToken(password)) {
      return entra.login(password, nowMillis);
    }
    Access access = check(password);
    if (access == Access.DENIED) {
      return Login.denied(incorrect(user));
    }
    if (localAuthDisabled) {
      // A right key, refused only because keys are off: said so, as the account's owner turned
      // them off and a client that still sends one needs to know. The text is the emulator's own.
      return Login.denied(
          "Local authorization (account keys) is disabled for account "
              + account
              + ": log in with a Microsoft Entra ID access token as the password");
    }
    return Login.granted(access, READ_ONLY_KEY_WRITE, Long.MAX_VALUE);
  }

  /** What {@code password} as a key may do; the read-only key wins if both match. */
  private Access check(String password) {
    if (readOnlyKey.equals(password)) {
      return Access.READ_ONLY;
    }
    return key.equals(password) ? Access.READ_WRITE : Access.DENIED;
  }

  private static String incorrect(String user) {
    return "Provided username " + user + " and/or password are incorrect";
  }

  /** Cosmos keys are 64 random bytes in Base64 (88 characters ending in "=="). */
  static String randomKey(SecureRandom random) {
    byte[] bytes = new byte[64];
    random.nextBytes(bytes);
    return Base64.getEncoder().encodeToString(bytes);
  }
}

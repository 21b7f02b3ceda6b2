package io.github.cosmosspark.testkit.emulator;

import java.security.SecureRandom;
import java.util.Base64;

/**
 * The account clients log in to and its two keys: a read-write key and a read-only one, as a Cosmos
 * account has. The user name is the account name, matched without regard to case.
 */
final class Accounts {

  /** What a login may do. */
  enum Access {
    READ_WRITE,
    READ_ONLY,
    DENIED
  }

  private final String account;
  private final String key;
  private final String readOnlyKey;

  Accounts(String account, String key, String readOnlyKey) {
    this.account = account;
    this.key = key;
    this.readOnlyKey = readOnlyKey;
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

  /** What {@code user} may do with {@code password}; the read-only key wins if both match. */
  Access check(String user, String password) {
    if (!account.equalsIgnoreCase(user)) {
      return Access.DENIED;
    }
    if (readOnlyKey.equals(password)) {
      return Access.READ_ONLY;
    }
    return key.equals(password) ? Access.READ_WRITE : Access.DENIED;
  }

  /** Cosmos keys are 64 random bytes in Base64 (88 characters ending in "=="). */
  static String randomKey(SecureRandom random) {
    byte[] bytes = new byte[64];
    random.nextBytes(bytes);
    return Base64.getEncoder().encodeToString(bytes);
  }
}

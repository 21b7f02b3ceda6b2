package io.github.cosmosspark.core.session;

import com.datastax.oss.driver.api.core.auth.PlainTextAuthProviderBase;
import com.datastax.oss.driver.api.core.metadata.EndPoint;

/**
 * Logs every new connection in as the account with the current Microsoft Entra ID token as the
 * password, as Microsoft's samples for the Cassandra API do. The driver asks on its I/O thread, so
 * the token is read from {@link EntraTokenSource}, which renews it in the background.
 */
public final class EntraAuthProvider extends PlainTextAuthProviderBase {
  private final String account;
  private final EntraTokenSource tokens;

  public EntraAuthProvider(String account, EntraTokenSource tokens) {
    super("");
    this.account = account;
    this.tokens = tokens;
  }

  @Override
  protected Credentials getCredentials(EndPoint endPoint, String serverAuthenticator) {
    return new Credentials(account.toCharArray(), tokens.current().toCharArray());
  }

  /** Where the tokens come from. */
  public EntraTokenSource tokens() {
    return tokens;
  }

  @Override
  public String toString() {
    return "EntraAuthProvider{account=" + account + ", " + tokens.settings() + "}";
  }
}

package io.github.cosmosspark.core.session;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.cosmosspark.shaded.com.azure.core.credential.AccessToken;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** When a token is renewed: early enough for a new connection never to find it expired. */
class EntraTokenRenewalTest {

  private static final long NOW = 1_800_000_000_000L;

  @Test
  void anHourLongTokenIsRenewedFiveMinutesBeforeItExpires() {
    assertEquals(
        TimeUnit.MINUTES.toMillis(70),
        EntraTokenSource.renewalDelayMillis(expiringIn(75 * 60), NOW));
    assertEquals(
        TimeUnit.MINUTES.toMillis(55),
        EntraTokenSource.renewalDelayMillis(expiringIn(60 * 60), NOW));
  }

  @Test
  void aShortTokenIsRenewedAtHalfItsRemainingLife() {
    assertEquals(30_000, EntraTokenSource.renewalDelayMillis(expiringIn(60), NOW));
    assertEquals(
        TimeUnit.MINUTES.toMillis(5), EntraTokenSource.renewalDelayMillis(expiringIn(600), NOW));
  }

  @Test
  void anExpiredOrNearlyExpiredTokenIsRenewedAfterOneSecondNotInALoop() {
    assertEquals(1_000, EntraTokenSource.renewalDelayMillis(expiringIn(1), NOW));
    assertEquals(1_000, EntraTokenSource.renewalDelayMillis(expiringIn(-30), NOW));
  }

  private static AccessToken expiringIn(long seconds) {
    return new AccessToken(
        "not-a-real-token",
        OffsetDateTime.ofInstant(Instant.ofEpochMilli(NOW).plusSeconds(seconds), ZoneOffset.UTC));
  }
}

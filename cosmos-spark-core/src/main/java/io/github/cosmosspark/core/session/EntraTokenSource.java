package io.github.cosmosspark.core.session;

import io.github.cosmosspark.core.config.EntraSettings;
import io.github.cosmosspark.core.errors.CosmosConnectionException;
import io.github.cosmosspark.shaded.com.azure.core.credential.AccessToken;
import io.github.cosmosspark.shaded.com.azure.core.credential.TokenCredential;
import io.github.cosmosspark.shaded.com.azure.core.credential.TokenRequestContext;
import io.github.cosmosspark.shaded.com.azure.core.http.HttpClient;
import io.github.cosmosspark.shaded.com.azure.core.http.netty.NettyAsyncHttpClientBuilder;
import io.github.cosmosspark.shaded.com.azure.identity.AadCredentialBuilderBase;
import io.github.cosmosspark.shaded.com.azure.identity.AzureCliCredentialBuilder;
import io.github.cosmosspark.shaded.com.azure.identity.ClientCertificateCredentialBuilder;
import io.github.cosmosspark.shaded.com.azure.identity.ClientSecretCredentialBuilder;
import io.github.cosmosspark.shaded.com.azure.identity.ManagedIdentityCredentialBuilder;
import io.github.cosmosspark.shaded.com.azure.identity.WorkloadIdentityCredentialBuilder;
import io.github.cosmosspark.shaded.io.netty.handler.ssl.SslContext;
import io.github.cosmosspark.shaded.io.netty.handler.ssl.SslContextBuilder;
import java.net.URI;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Microsoft Entra ID access tokens for one identity, in one JVM: fetched once when the first
 * session opens, kept, and renewed in the background before they expire, so that a connection
 * opening on a driver I/O thread reads the current token without waiting ({@link #current()}).
 *
 * <p>Every JVM that opens connections (driver and executors) has its own: connections open on
 * executors at any time of a long job (pool growth, reconnections after Cosmos closes idle or
 * expired connections), a token handed down from the driver would expire after 60 to 90 minutes,
 * and a managed identity belongs to the machine. One source per distinct settings and trust, for
 * the JVM's lifetime; the cost is one token request per source per renewal.
 */
public final class EntraTokenSource {
  private static final Logger LOG = LoggerFactory.getLogger(EntraTokenSource.class);

  /** Renew this long before expiry, as Azure's own clients do, when the token lives longer. */
  private static final long RENEW_BEFORE_EXPIRY_MILLIS = TimeUnit.MINUTES.toMillis(5);

  /** No renewal comes sooner than this after the last. */
  private static final long MIN_DELAY_MILLIS = 1000;

  /** After a failed renewal, try again this often (or sooner, when expiry is nearer). */
  private static final long RETRY_MILLIS = TimeUnit.SECONDS.toMillis(15);

  private static final List<String> ENTRA_HOSTS =
      Arrays.asList(
          "login.microsoftonline.com",
          "login.microsoftonline.us",
          "login.chinacloudapi.cn",
          "login.partner.microsoftonline.cn");

  private static final ConcurrentMap<List<Object>, EntraTokenSource> SOURCES =
      new ConcurrentHashMap<>();

  /** Token requests block on HTTP: they run here, never on a driver I/O thread or the timer. */
  private static final ScheduledExecutorService RENEWALS = newRenewalThread();

  private final EntraSettings settings;
  private final TokenCredential credential;
  private final TokenRequestContext request;
  private final Object lock = new Object();
  private final AtomicInteger sessions = new AtomicInteger();
  private volatile AccessToken token;
  private volatile RuntimeException lastFailure;
  private final AtomicInteger tokensFetched = new AtomicInteger();

  /** Guarded by {@link #lock}: whether a renewal is pending. */
  private boolean renewing;

  private EntraTokenSource(EntraSettings settings, KeyStore extraTrust) {
    this.settings = settings;
    this.credential = credential(settings, extraTrust);
    this.request = new TokenRequestContext().addScopes(settings.scope());
  }

  /**
   * The source for these settings in this JVM, holding a token that is not about to expire: the
   * call waits for Entra when it has none (it runs where a session opens, on the planning thread or
   * a task's, never on an I/O thread).
   *
   * @param trustKey what identifies {@code extraTrust} (its path), or null for the JVM's trust only
   * @param extraTrust authorities trusted besides the JVM's, for the token endpoint's certificate
   * @throws CosmosConnectionException naming the identity and the fix, when Entra refuses
   */
  public static EntraTokenSource forSettings(
      EntraSettings settings, String trustKey, Supplier<KeyStore> extraTrust) {
    List<Object> key = Arrays.asList(settings, trustKey);
    EntraTokenSource source =
        SOURCES.computeIfAbsent(
            key, k -> new EntraTokenSource(settings, trustKey == null ? null : extraTrust.get()));
    source.awaitUsableToken();
    return source;
  }

  /**
   * The current token, without waiting. When it has expired (renewal failed, or no session kept it
   * renewed), a renewal starts and the reason is thrown: the driver tries the connection again
   * after its reconnection delay.
   *
   * @throws CosmosConnectionException when the token has expired and could not be renewed
   */
  public String current() {
    AccessToken current = token;
    if (current != null && !current.isExpired()) {
      return current.getToken();
    }
    renewSoon();
    RuntimeException failure = lastFailure;
    throw failure != null
        ? failure
        : new CosmosConnectionException(
            "The Microsoft Entra ID token of "
                + settings
                + " has expired and is being renewed; the connection will be tried again.",
            null);
  }

  /** A session that uses this source opened: keep its token renewed until it closes. */
  public void sessionOpened() {
    sessions.incrementAndGet();
    renewSoon();
  }

  /** A session that used this source closed; with none left, renewals stop. */
  public void sessionClosed() {
    sessions.decrementAndGet();
  }

  /** How many tokens this source has fetched, for tests. */
  public int tokensFetched() {
    return tokensFetched.get();
  }

  /** The identity, for messages. */
  public EntraSettings settings() {
    return settings;
  }

  private void awaitUsableToken() {
    synchronized (lock) {
      AccessToken current = token;
      if (current != null
          && renewalDelayMillis(current, System.currentTimeMillis()) > MIN_DELAY_MILLIS) {
        return;
      }
      // A refused login fails the plan (or task) here, before any data moves; the next session
      // tries again rather than repeat a stored failure.
      fetch();
    }
  }

  private void fetch() {
    try {
      AccessToken fetched = credential.getTokenSync(request);
      if (fetched == null || fetched.getToken() == null) {
        throw new IllegalStateException("the credential returned no token");
      }
      token = fetched;
      tokensFetched.incrementAndGet();
      lastFailure = null;
      LOG.debug(
          "Got a Microsoft Entra ID token for {}, valid until {}",
          settings,
          fetched.getExpiresAt());
    } catch (RuntimeException e) {
      CosmosConnectionException explained = EntraErrors.explain(settings, e);
      lastFailure = explained;
      throw explained;
    }
  }

  /** Schedules a renewal unless one is pending: at its time, or now when the token has expired. */
  private void renewSoon() {
    synchronized (lock) {
      if (renewing) {
        return;
      }
      renewing = true;
      AccessToken current = token;
      long delay = current == null ? 0 : renewalDelayMillis(current, System.currentTimeMillis());
      RENEWALS.schedule(
          this::renew, current == null || current.isExpired() ? 0 : delay, TimeUnit.MILLISECONDS);
    }
  }

  private void renew() {
    long next;
    try {
      fetch();
      next = renewalDelayMillis(token, System.currentTimeMillis());
    } catch (RuntimeException | LinkageError e) {
      // Whatever failed, the next renewal is scheduled: a renewal chain that died would leave
      // every later connection with an expired token.
      AccessToken current = token;
      long left = current == null ? 0 : millisLeft(current, System.currentTimeMillis());
      LOG.warn(
          "Could not renew the Microsoft Entra ID token of {} ({} s of the current one left): {}",
          settings,
          Math.max(0, left / 1000),
          e.getMessage());
      next = Math.max(MIN_DELAY_MILLIS, Math.min(RETRY_MILLIS, left / 4));
    }
    synchronized (lock) {
      if (sessions.get() <= 0) {
        // Nothing to keep renewed; the next session or connection asks again.
        renewing = false;
        return;
      }
      RENEWALS.schedule(this::renew, next, TimeUnit.MILLISECONDS);
    }
  }

  /**
   * Five minutes before expiry, as Azure's clients renew; a token that lives less than twice that
   * (tests' short tokens) is renewed at half its remaining life.
   */
  static long renewalDelayMillis(AccessToken token, long nowMillis) {
    long left = millisLeft(token, nowMillis);
    long delay =
        left > 2 * RENEW_BEFORE_EXPIRY_MILLIS ? left - RENEW_BEFORE_EXPIRY_MILLIS : left / 2;
    return Math.max(MIN_DELAY_MILLIS, delay);
  }

  private static long millisLeft(AccessToken token, long nowMillis) {
    return token.getExpiresAt().toInstant().toEpochMilli() - nowMillis;
  }

  private static TokenCredential credential(EntraSettings settings, KeyStore extraTrust) {
    HttpClient http = extraTrust == null ? null : httpClientTrusting(extraTrust);
    switch (settings.credential()) {
      case EntraSettings.CLIENT_SECRET:
        return ofServicePrincipal(new ClientSecretCredentialBuilder(), settings, http)
            .clientSecret(settings.clientSecret())
            .build();
      case EntraSettings.CLIENT_CERTIFICATE:
        {
          ClientCertificateCredentialBuilder builder =
              ofServicePrincipal(new ClientCertificateCredentialBuilder(), settings, http);
          String path = settings.certificatePath();
          String lower = path.toLowerCase(Locale.ROOT);
          if (lower.endsWith(".pfx") || lower.endsWith(".p12")) {
            builder.pfxCertificate(path);
            if (settings.certificatePassword() != null) {
              builder.clientCertificatePassword(settings.certificatePassword());
            }
          } else {
            builder.pemCertificate(path);
          }
          return builder.build();
        }
      case EntraSettings.WORKLOAD_IDENTITY:
        return ofServicePrincipal(new WorkloadIdentityCredentialBuilder(), settings, http)
            .tokenFilePath(settings.tokenFilePath())
            .build();
      case EntraSettings.MANAGED_IDENTITY:
        {
          ManagedIdentityCredentialBuilder builder = new ManagedIdentityCredentialBuilder();
          if (settings.clientId() != null) {
            builder.clientId(settings.clientId());
          }
          return builder.build();
        }
      default:
        {
          AzureCliCredentialBuilder builder = new AzureCliCredentialBuilder();
          if (settings.tenantId() != null) {
            builder.tenantId(settings.tenantId());
          }
          return builder.build();
        }
    }
  }

  /** The identity and the authority every credential that asks Entra itself shares. */
  private static <T extends AadCredentialBuilderBase<T>> T ofServicePrincipal(
      T builder, EntraSettings settings, HttpClient http) {
    builder
        .tenantId(settings.tenantId())
        .clientId(settings.clientId())
        .authorityHost(settings.authorityHost());
    if (!isEntraHost(settings.authorityHost())) {
      // Instance discovery asks login.microsoftonline.com about the host, which knows only its own.
      builder.disableInstanceDiscovery();
    }
    if (http != null) {
      builder.httpClient(http);
    }
    return builder;
  }

  /** Microsoft's own login hosts know themselves; another host cannot be looked up there. */
  private static boolean isEntraHost(String authorityHost) {
    String host = URI.create(authorityHost).getHost();
    return host != null && ENTRA_HOSTS.contains(host.toLowerCase(Locale.ROOT));
  }

  /**
   * An HTTP client for Entra that trusts the JVM's authorities and those of the connection's trust
   * store: a private CA given for Cosmos (a proxy, the testkit) must not take away the public ones
   * Entra's certificate chains to.
   */
  private static HttpClient httpClientTrusting(KeyStore extraTrust) {
    try {
      X509TrustManager jvm = trustManager(null);
      X509TrustManager extra = trustManager(extraTrust);
      SslContext tls =
          SslContextBuilder.forClient().trustManager(new EitherTrustManager(jvm, extra)).build();
      return new NettyAsyncHttpClientBuilder(
              io.github.cosmosspark.shaded.reactor.netty.http.client.HttpClient.create()
                  .secure(spec -> spec.sslContext(tls)))
          .build();
    } catch (GeneralSecurityException | SSLException e) {
      throw new IllegalStateException("Could not build a TLS context for Microsoft Entra ID", e);
    }
  }

  private static X509TrustManager trustManager(KeyStore store) throws GeneralSecurityException {
    TrustManagerFactory factory =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    factory.init(store);
    for (TrustManager manager : factory.getTrustManagers()) {
      if (manager instanceof X509TrustManager) {
        return (X509TrustManager) manager;
      }
    }
    throw new GeneralSecurityException("No X.509 trust manager in this JVM");
  }

  /** Trusts a server either trust manager trusts. */
  private static final class EitherTrustManager implements X509TrustManager {
    private final X509TrustManager first;
    private final X509TrustManager second;

    EitherTrustManager(X509TrustManager first, X509TrustManager second) {
      this.first = first;
      this.second = second;
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType)
        throws CertificateException {
      throw new CertificateException("A client of Microsoft Entra ID does not check clients");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType)
        throws CertificateException {
      try {
        first.checkServerTrusted(chain, authType);
      } catch (CertificateException notByTheFirst) {
        second.checkServerTrusted(chain, authType);
      }
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      List<X509Certificate> issuers = new ArrayList<>();
      Collections.addAll(issuers, first.getAcceptedIssuers());
      Collections.addAll(issuers, second.getAcceptedIssuers());
      return issuers.toArray(new X509Certificate[0]);
    }
  }

  private static ScheduledExecutorService newRenewalThread() {
    ScheduledThreadPoolExecutor renewals =
        new ScheduledThreadPoolExecutor(
            1,
            task -> {
              Thread thread = new Thread(task, "cosmos-spark-entra-token-renewal");
              thread.setDaemon(true);
              return thread;
            });
    renewals.setRemoveOnCancelPolicy(true);
    return renewals;
  }

  @Override
  public String toString() {
    return "EntraTokenSource{" + settings + "}";
  }
}

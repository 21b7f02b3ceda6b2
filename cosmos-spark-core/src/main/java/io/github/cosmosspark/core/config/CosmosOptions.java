package io.github.cosmosspark.core.config;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Every option of the {@code cosmoscassandra} source, declared once. Per-read options take the
 * short name ({@code .option("account", "...")}) or the full key; the Spark configuration takes the
 * full key ({@code spark.cosmos.cassandra.account}).
 */
public final class CosmosOptions {
  private static final String TABLE_TRAVELS_WITH_SCC =
      "one session serves every table of an account; the table travels in SCC's own options";
  private static final String BUDGET_TRAVELS_WITH_TASKS =
      "the driver plans the job's budget from it, and the budget travels with the tasks";
  private static final String KEY_READ_ON_DRIVER =
      "the driver reads the key from it when it resolves the options, and the key travels as"
          + " `password`, under a key Spark's redaction hides";

  /** The Cosmos DB account name; also the user name Cosmos expects. */
  public static final CosmosOption<String> ACCOUNT =
      CosmosOption.string("account")
          .fallsBackTo("spark.cassandra.auth.username")
          .doc(
              "Cosmos DB account name. Cosmos takes it as the user name, and the endpoint is derived"
                  + " from it.")
          .build();

  /**
   * The account key. Named "password", as the portal's Connection String page calls it, so that
   * Spark's default {@code spark.redaction.regex} hides it in the UI, plans and event logs.
   */
  public static final CosmosOption<String> PASSWORD =
      CosmosOption.secret("password")
          .fallsBackTo("spark.cassandra.auth.password")
          .doc(
              "The account key: the portal's PRIMARY PASSWORD (or SECONDARY), or a read-only password"
                  + " for jobs that only read. Redacted everywhere Spark shows settings.")
          .build();

  /** The portal's connection string: {@code HostName=...;Username=...;Password=...;Port=...}. */
  public static final CosmosOption<String> CONNECTION_STRING =
      CosmosOption.secret("connectionString")
          .doc(
              "The portal's PRIMARY CONNECTION STRING, `HostName=…;Username=…;Password=…;Port=…`."
                  + " Sets account, password, host and port at once; an explicit account that"
                  + " disagrees with it is an error.")
          .notCarried("resolution folds it into account, password, host and port")
          .build();

  /**
   * The name of an environment variable that holds the account key, so that the key never passes
   * through Spark's configuration. Read on the driver only; see {@link #PASSWORD_FILE} for why.
   */
  public static final CosmosOption<String> PASSWORD_ENV =
      CosmosOption.string("passwordEnv")
          .doc(
              "The name of an environment variable of the driver that holds the account key, for"
                  + " example `COSMOS_KEY`: the key then never passes through Spark's"
                  + " configuration, so this option can go anywhere, `SparkSession.builder()`"
                  + " included. On Databricks, set the variable in the cluster's environment"
                  + " variables to a secret reference: `COSMOS_KEY={{secrets/<scope>/<key>}}`."
                  + " The driver reads the variable when it plans a read, write or catalog"
                  + " statement, and the key reaches executors the way `password` does; executors"
                  + " need not have the variable. A variable that is not set or is empty is an"
                  + " error naming it.")
          .notCarried(KEY_READ_ON_DRIVER)
          .build();

  /**
   * A file that holds the account key. Like {@link #PASSWORD_ENV}, it is read on the driver when it
   * resolves the options, and the key it holds travels to executors as {@link #PASSWORD} does
   * (which SCC would do anyway: it builds its connection configuration, authentication included, on
   * the driver and ships it with the tasks). Executors reading their own copy would need the
   * variable or file on every machine (a spark-submit shell's environment does not reach YARN or
   * Kubernetes executors), would fail every task instead of the plan, and could read different keys
   * in one job while the file is being rotated.
   */
  public static final CosmosOption<String> PASSWORD_FILE =
      CosmosOption.string("passwordFile")
          .doc(
              "Path of a file on the driver that holds the account key (one line; surrounding"
                  + " white space and a final line break are ignored), for example a file only the"
                  + " job's user can read, or on Databricks a file in a Unity Catalog volume"
                  + " (`/Volumes/...`) or on `/dbfs/...`. Like `passwordEnv`, the key never passes"
                  + " through Spark's configuration, is read on the driver only, and reaches"
                  + " executors the way `password` does. A missing, unreadable or empty file is an"
                  + " error naming the path; the key is never shown. Give exactly one of"
                  + " `password`, `connectionString`, `passwordEnv`, `passwordFile` at one level"
                  + " (a read's options, or the configuration); a more specific level replaces a"
                  + " less specific one's key.")
          .notCarried(KEY_READ_ON_DRIVER)
          .build();

  /** How the connector logs in: the account key, or a Microsoft Entra ID identity. */
  public static final CosmosOption<String> AUTH_TYPE =
      CosmosOption.oneOf("auth.type", "key", "entra")
          .defaultValue("key")
          .doc(
              "How to log in. `key`: the account key (`password`, `connectionString`,"
                  + " `passwordEnv` or `passwordFile`). `entra`: a Microsoft Entra ID access token"
                  + " for an identity with a Cosmos DB data-plane role, which accounts with"
                  + " `disableLocalAuth` require; see docs/authentication.md. A key and `entra`"
                  + " together are an error, as are `auth.entra.*` settings with `key`.")
          .build();

  /** Which Microsoft Entra ID credential gets the token. */
  public static final CosmosOption<String> ENTRA_CREDENTIAL =
      CosmosOption.oneOf(
              "auth.entra.credential",
              "clientSecret",
              "clientCertificate",
              "managedIdentity",
              "workloadIdentity",
              "azureCli")
          .derivedDefault(
              "`clientSecret` when `auth.entra.clientSecret` is set, `clientCertificate` when"
                  + " `auth.entra.certificatePath` is set")
          .doc(
              "With `auth.type=entra`, where the token comes from: a service principal's secret"
                  + " (`clientSecret`, with `tenantId`, `clientId`, `clientSecret`) or certificate"
                  + " (`clientCertificate`, with `tenantId`, `clientId`, `certificatePath`); the"
                  + " machine's managed identity (`managedIdentity`; `clientId` picks a"
                  + " user-assigned one); Kubernetes workload identity (`workloadIdentity`, from"
                  + " `AZURE_TENANT_ID`, `AZURE_CLIENT_ID`, `AZURE_FEDERATED_TOKEN_FILE` unless"
                  + " given); or the developer's `az login` (`azureCli`, local runs only). Every"
                  + " JVM that opens connections (driver and executors) gets its own token with it"
                  + " and renews it before it expires.")
          .build();

  /** The directory (tenant) of the identity. */
  public static final CosmosOption<String> ENTRA_TENANT_ID =
      CosmosOption.string("auth.entra.tenantId")
          .doc(
              "The Microsoft Entra tenant (directory) id of the identity, a GUID from the app"
                  + " registration's Overview page.")
          .build();

  /** The application (client) id of the service principal or user-assigned identity. */
  public static final CosmosOption<String> ENTRA_CLIENT_ID =
      CosmosOption.string("auth.entra.clientId")
          .doc(
              "The application (client) id of the service principal, or of a user-assigned managed"
                  + " identity.")
          .build();

  /** The service principal's client secret. */
  public static final CosmosOption<String> ENTRA_CLIENT_SECRET =
      CosmosOption.secret("auth.entra.clientSecret")
          .doc(
              "The service principal's client secret (its Value, not its Secret ID). On Databricks,"
                  + " a secret scope reference: `{{secrets/<scope>/<key>}}` in the cluster's Spark"
                  + " configuration, or `dbutils.secrets.get(...)` as a read option. Redacted"
                  + " everywhere Spark shows settings.")
          .build();

  /** The service principal's certificate with its private key. */
  public static final CosmosOption<String> ENTRA_CERTIFICATE_PATH =
      CosmosOption.string("auth.entra.certificatePath")
          .doc(
              "Path of the service principal's certificate with its private key, PEM or PFX"
                  + " (PKCS12), readable on the driver and every executor (on Databricks a Unity"
                  + " Catalog volume, `/Volumes/...`).")
          .build();

  /** The password of a PFX certificate. */
  public static final CosmosOption<String> ENTRA_CERTIFICATE_PASSWORD =
      CosmosOption.secret("auth.entra.certificatePassword")
          .doc("The password of a PFX certificate, if it has one. Redacted like `password`.")
          .build();

  /** The federated token file of Kubernetes workload identity. */
  public static final CosmosOption<String> ENTRA_TOKEN_FILE =
      CosmosOption.string("auth.entra.tokenFilePath")
          .derivedDefault("`AZURE_FEDERATED_TOKEN_FILE`")
          .doc(
              "For `workloadIdentity`: the service account token file that Kubernetes projects"
                  + " into the pod.")
          .build();

  /** Where Microsoft Entra ID is. */
  public static final CosmosOption<String> ENTRA_AUTHORITY_HOST =
      CosmosOption.string("auth.entra.authorityHost")
          .defaultValue("https://login.microsoftonline.com/")
          .doc(
              "The Microsoft Entra ID endpoint: change it for a sovereign cloud"
                  + " (`https://login.microsoftonline.us/`,"
                  + " `https://login.chinacloudapi.cn/`) or for the testkit's own token endpoint."
                  + " Its TLS certificate is checked against the JVM's trusted authorities and"
                  + " those of `tls.truststore.path`.")
          .build();

  /** What the token is for. */
  public static final CosmosOption<String> ENTRA_SCOPE =
      CosmosOption.string("auth.entra.scope")
          .defaultValue("https://cosmos.azure.com/.default")
          .doc(
              "The scope the token is asked for. Microsoft documents"
                  + " `https://cosmos.azure.com/.default` for the Cassandra API; change it only if"
                  + " Microsoft's documentation for your cloud says otherwise.")
          .build();

  /** The endpoint host. */
  public static final CosmosOption<String> HOST =
      CosmosOption.string("host")
          .fallsBackTo("spark.cassandra.connection.host")
          .derivedDefault("`<account>.cassandra.cosmos.azure.com`")
          .doc(
              "Endpoint host name. Set it for the emulator or a private endpoint; Azure's public"
                  + " endpoint follows from the account.")
          .build();

  /** The endpoint port. */
  public static final CosmosOption<Integer> PORT =
      CosmosOption.integer("port", 1, 65535, "port")
          .fallsBackTo("spark.cassandra.connection.port")
          .defaultValue(10350)
          .doc("Endpoint port. Cosmos serves the Cassandra API on 10350, not Cassandra's 9042.")
          .build();

  /** Whether to use TLS. */
  public static final CosmosOption<Boolean> TLS_ENABLED =
      CosmosOption.bool("tls.enabled")
          .defaultValue(true)
          .doc(
              "TLS to the endpoint. Cosmos accepts only TLS 1.2 or newer, so this is on; turning it"
                  + " off (only useful against a plain-text test server) logs a warning, and only"
                  + " this option can turn it off.")
          .build();

  /** Whether the server certificate must name the host connected to. */
  public static final CosmosOption<Boolean> TLS_HOSTNAME_VERIFICATION =
      CosmosOption.bool("tls.hostnameVerification")
          .defaultValue(true)
          .doc(
              "Check that the server's certificate names the host connected to. The plain"
                  + " Spark Cassandra Connector never checks; without the check, anyone who can"
                  + " intercept traffic can present any valid certificate. Turning it off logs a"
                  + " warning.")
          .build();

  /** A trust store for a private CA. */
  public static final CosmosOption<String> TRUSTSTORE_PATH =
      CosmosOption.string("tls.truststore.path")
          .fallsBackTo("spark.cassandra.connection.ssl.trustStore.path")
          .derivedDefault("the JVM's default trust store")
          .doc(
              "Trust store with the CA that signed the server's certificate. Azure's certificates"
                  + " chain to public CAs the JVM already trusts; set this for the emulator or a"
                  + " private CA. The file must exist on every executor.")
          .build();

  /** The trust store's password. */
  public static final CosmosOption<String> TRUSTSTORE_PASSWORD =
      CosmosOption.secret("tls.truststore.password")
          .fallsBackTo("spark.cassandra.connection.ssl.trustStore.password")
          .doc("Password of the trust store, if it has one.")
          .build();

  /** The trust store's type. */
  public static final CosmosOption<String> TRUSTSTORE_TYPE =
      CosmosOption.string("tls.truststore.type")
          .fallsBackTo("spark.cassandra.connection.ssl.trustStore.type")
          .defaultValue("JKS")
          .doc(
              "Type of the trust store: JKS or PKCS12. On Java 9 and later a JKS store reads"
                  + " PKCS12 files too.")
          .build();

  /** The keyspace. */
  public static final CosmosOption<String> KEYSPACE =
      CosmosOption.string("keyspace")
          .doc("Keyspace of the table to read or write.")
          .notCarried(TABLE_TRAVELS_WITH_SCC)
          .build();

  /** The table. */
  public static final CosmosOption<String> TABLE =
      CosmosOption.string("table")
          .doc("Table to read or write.")
          .notCarried(TABLE_TRAVELS_WITH_SCC)
          .build();

  /** Sends of one rate-limited request, the first included. */
  public static final CosmosOption<Integer> RETRY_MAX_ATTEMPTS =
      CosmosOption.integer("retry.maxAttempts", 1, Integer.MAX_VALUE, "attempts")
          .defaultValue(100_000)
          .doc(
              "How many times one request may be sent while Cosmos answers 429 (request rate is"
                  + " large), the first send included. Each resend waits for the RetryAfterMs"
                  + " Cosmos names, plus up to a quarter more, on a timer; no thread sleeps. Under"
                  + " heavy contention Cosmos names waits of a few milliseconds and one request"
                  + " can be refused a thousand times in 20 s, so `retry.maxTimeMs` is the bound"
                  + " that matters; this one stops a request that is refused with no wait. The"
                  + " helper's `spark.cassandra.query.retry.count` maps here (n retries = n + 1"
                  + " attempts, -1 = no limit).")
          .build();

  /** Time one rate-limited request may take from its first send to its last. */
  public static final CosmosOption<Integer> RETRY_MAX_TIME_MS =
      CosmosOption.integer("retry.maxTimeMs", 0, Integer.MAX_VALUE, "milliseconds")
          .defaultValue(300_000)
          .doc(
              "How long one request may keep being resent, from its first send: after 429s,"
                  + " after its connection was lost, and while the endpoint is down or restarting."
                  + " When this or `retry.maxAttempts` runs out, the task fails with an error"
                  + " naming the table, what the endpoint answered and the time waited.")
          .build();

  /** Immediate resends of an idempotent request after a timeout or a transient server error. */
  public static final CosmosOption<Integer> RETRY_TIMEOUT_RETRIES =
      CosmosOption.integer("retry.timeoutRetries", 0, 100, "retries")
          .defaultValue(3)
          .doc(
              "How many times a request that timed out or met a transient server error is"
                  + " resent: at once after a server-side timeout or error, after a short wait on"
                  + " a timer when no answer came within the driver's request timeout"
                  + " (`spark.cassandra.read.timeoutMS`). Only idempotent statements are resent"
                  + " after these (Cosmos may have executed them); the connector's writes are"
                  + " idempotent unless they touch counters or append to lists.")
          .build();

  /** Whether requests wait for the job's RU budget before they are sent. */
  public static final CosmosOption<Boolean> THROUGHPUT_CONTROL =
      CosmosOption.bool("throughput.control")
          .defaultValue(true)
          .doc(
              "Send each request only when the job's request-unit budget for the table allows it,"
                  + " instead of sending as fast as Spark can and retrying the 429s. Needs a"
                  + " budget: `throughput.targetRuPerSecond`, or the table's throughput"
                  + " (`throughput.provisionedRuPerSecond`, or seen in DDL the job ran); without"
                  + " one, only retries apply. `false` turns it off.")
          .notCarried(BUDGET_TRAVELS_WITH_TASKS)
          .build();

  /** The job's RU/s for the table, shared by all its executors. */
  public static final CosmosOption<Integer> THROUGHPUT_TARGET =
      CosmosOption.integer("throughput.targetRuPerSecond", 1, 100_000_000, "RU/s")
          .derivedDefault("`throughput.fraction` × the table's throughput")
          .doc(
              "Request units per second this job may use on the table, in all, across its"
                  + " executors. Overrides the fraction.")
          .notCarried(BUDGET_TRAVELS_WITH_TASKS)
          .build();

  /** The table's (or its keyspace's shared) provisioned or autoscale-maximum RU/s. */
  public static final CosmosOption<Integer> THROUGHPUT_PROVISIONED =
      CosmosOption.integer("throughput.provisionedRuPerSecond", 1, 100_000_000, "RU/s")
          .derivedDefault("seen in `cosmosdb_provisioned_throughput` DDL this job ran, else none")
          .doc(
              "The table's throughput as the portal shows it (the autoscale maximum for"
                  + " autoscale). Cosmos has no CQL query that reads it back, so declare it here"
                  + " for the budget to follow from `throughput.fraction`.")
          .notCarried(BUDGET_TRAVELS_WITH_TASKS)
          .build();

  /** The part of the table's throughput a job may use. */
  public static final CosmosOption<Double> THROUGHPUT_FRACTION =
      CosmosOption.fraction("throughput.fraction")
          .defaultValue(0.9)
          .doc(
              "The part of the table's throughput this job may use when no target is set; the"
                  + " rest is left to other applications and to retries.")
          .notCarried(BUDGET_TRAVELS_WITH_TASKS)
          .build();

  /**
   * Whether a write asks Spark to shuffle its rows by the table's partition key first, so that each
   * task's rows fall evenly on all of the table's physical partitions whatever order they came in.
   */
  public static final CosmosOption<Boolean> WRITE_SPREAD_OVER_PARTITIONS =
      CosmosOption.bool("write.spreadOverPartitions")
          .defaultValue(true)
          .doc(
              "Before writing, have Spark cluster the rows by the table's partition key columns"
                  + " (one shuffle, hashed with Spark's own hash) and sort each task's rows by the"
                  + " clustering columns, then the partition key, so that every write task's rows"
                  + " fall evenly on all the table's physical partitions all along. Cosmos splits a table's"
                  + " RU/s evenly over its physical partitions; rows that arrive in token order (a"
                  + " copy fed by a scan of another table) would otherwise load one partition at a"
                  + " time at its share of the throughput. Applies to batch writes, catalog INSERTs"
                  + " and micro-batch streaming writes; continuous-mode queries are never"
                  + " reshuffled (Spark refuses it). `false` writes the rows where and in the order"
                  + " they are, with no shuffle: for rows already spread, or a write too small to"
                  + " be worth one. See throughput.md.")
          .notCarried("the driver plans the write's shuffle from it; tasks only write their rows")
          .build();

  /** The target length of a scan's tasks, from which the scan's split count is chosen. */
  public static final CosmosOption<Integer> READ_SPLIT_TASK_SECONDS =
      CosmosOption.integer("read.splitTaskSeconds", 0, 86_400, "seconds")
          .defaultValue(60)
          .doc(
              "How long, in seconds of the job's RU budget, each task of a full scan should take:"
                  + " cosmoscassandra estimates the table's rows from a few pages of its tokens"
                  + " (Cosmos has no `system.size_estimates`, without which the connector makes"
                  + " `1 + 2 × cores` splits whatever the table's size) and chooses the split count"
                  + " from the estimate, the budget and Spark's task slots. Shorter tasks repeat"
                  + " less work after a failure; more of them cost a little more. `0` leaves the"
                  + " count to the connector. `spark.cassandra.splitCount` and"
                  + " `spark.cassandra.input.split.sizeInMB`, when set, win. See throughput.md.")
          .build();

  /** The regions to read from first, in order, on an account replicated to several regions. */
  public static final CosmosOption<String> PREFERRED_REGIONS =
      CosmosOption.regionList("preferredRegions")
          .derivedDefault(
              "`spark.cassandra.connection.localDC` when set, else none: reads go to the write"
                  + " region")
          .doc(
              "Azure regions to read from, in order of preference, for an account replicated to"
                  + " several regions: `East US, West Europe`. Names are matched ignoring case and"
                  + " spaces, so the portal's `West US 2` and Azure CLI's `westus2` both work."
                  + " Reads go to the first of these regions that is up, then to the write region"
                  + " (the one the account's endpoint answers in), then to the account's other"
                  + " regions; a region that goes down mid-job is skipped until it is back."
                  + " Writes go to the write region unless `multiRegionWrites` is true. Every"
                  + " region named must be one of the account's, checked when the session opens."
                  + " `spark.cassandra.connection.localDC` counts as a one-region list when this"
                  + " is not set; set with a `localDC` other than the first region of this list,"
                  + " it is an error.")
          .build();

  /** Whether every region of the account accepts writes. */
  public static final CosmosOption<Boolean> MULTI_REGION_WRITES =
      CosmosOption.bool("multiRegionWrites")
          .defaultValue(false)
          .doc(
              "The account accepts writes in every region (multi-region writes, enabled on the"
                  + " account in the portal). When true, writes go where reads go:"
                  + " `preferredRegions` first, and on to another region if one goes down. When"
                  + " false, writes go only to the write region, the only one Cosmos accepts them"
                  + " in; while it is down, writes wait for it (up to `retry.maxTimeMs`) and then"
                  + " fail naming it. Setting it true for an account without multi-region writes"
                  + " makes writes fail in read regions.")
          .build();

  /** Where a read of the change feed starts; set, a batch read returns changes, not rows. */
  public static final CosmosOption<String> CHANGE_FEED_START_FROM =
      CosmosOption.feedPoint("changeFeed.startFrom", true)
          .derivedDefault("`beginning` for a streaming read; a batch read of the table otherwise")
          .doc(
              "Read the table's change feed from this point: `beginning` (every row's latest"
                  + " version), `now` (changes from when the query starts), or an ISO-8601"
                  + " instant with its zone (`2026-01-01T00:00:00Z`; not in the future). A"
                  + " streaming read (`spark.readStream`) always reads the change feed and"
                  + " stores where it is in its checkpoint; a batch read (`spark.read`) with this"
                  + " option returns the changes up to `changeFeed.endAt`. Each change is the"
                  + " row's latest version; deletes are not in the feed. Set it on the read:"
                  + " in the Spark configuration it would turn every read into a feed read, and"
                  + " is refused there. See change-feed.md.")
          .notCarried("read by the driver when it plans the read")
          .build();

  /** Where a batch read of the change feed ends. */
  public static final CosmosOption<String> CHANGE_FEED_END_AT =
      CosmosOption.feedPoint("changeFeed.endAt", false)
          .derivedDefault("`now`")
          .doc(
              "For a batch read with `changeFeed.startFrom`: return only changes written at or"
                  + " before this point, `now` or an ISO-8601 instant, by the rows' write times"
                  + " (`writetime`), which the writing clients set. A row changed again after"
                  + " this point is left out (the feed keeps only each row's latest version)."
                  + " Streaming reads refuse it: use `Trigger.AvailableNow` to stop a stream once"
                  + " it has caught up.")
          .notCarried("read by the driver when it plans the read")
          .build();

  /** At most this many changes per micro-batch of a streaming read. */
  public static final CosmosOption<Integer> CHANGE_FEED_MAX_ROWS_PER_TRIGGER =
      CosmosOption.integer("changeFeed.maxRowsPerTrigger", 1, Integer.MAX_VALUE, "rows")
          .derivedDefault("no limit: each micro-batch reads until it has caught up")
          .doc(
              "For a streaming read: the most changes a micro-batch reads, shared evenly among"
                  + " the feed ranges and rounded up to whole pages, so a batch may hold up to a"
                  + " page more per range. Batch reads refuse it.")
          .notCarried("read by the driver when it plans each micro-batch")
          .build();

  /** Whether a change-feed read selects the rows' write times. */
  public static final CosmosOption<Boolean> CHANGE_FEED_WRITE_TIMES =
      CosmosOption.bool("changeFeed.writeTimes")
          .defaultValue(true)
          .doc(
              "Whether a read of the change feed also selects `writetime()` of the table's"
                  + " regular columns, which gives each change's time: the stream's `lagMillis`"
                  + " metric and `changeFeed.endAt` need it. Whether Cosmos answers `writetime`"
                  + " in a feed query is not confirmed; `false` reads without it (then"
                  + " `changeFeed.endAt` is refused and no lag is reported).")
          .notCarried("read by the driver when it plans the read")
          .build();

  private static final List<CosmosOption<?>> ALL =
      Collections.unmodifiableList(
          Arrays.<CosmosOption<?>>asList(
              ACCOUNT,
              PASSWORD,
              CONNECTION_STRING,
              PASSWORD_ENV,
              PASSWORD_FILE,
              AUTH_TYPE,
              ENTRA_CREDENTIAL,
              ENTRA_TENANT_ID,
              ENTRA_CLIENT_ID,
              ENTRA_CLIENT_SECRET,
              ENTRA_CERTIFICATE_PATH,
              ENTRA_CERTIFICATE_PASSWORD,
              ENTRA_TOKEN_FILE,
              ENTRA_AUTHORITY_HOST,
              ENTRA_SCOPE,
              HOST,
              PORT,
              TLS_ENABLED,
              TLS_HOSTNAME_VERIFICATION,
              TRUSTSTORE_PATH,
              TRUSTSTORE_PASSWORD,
              TRUSTSTORE_TYPE,
              KEYSPACE,
              TABLE,
              RETRY_MAX_ATTEMPTS,
              RETRY_MAX_TIME_MS,
              RETRY_TIMEOUT_RETRIES,
              THROUGHPUT_CONTROL,
              THROUGHPUT_TARGET,
              THROUGHPUT_PROVISIONED,
              THROUGHPUT_FRACTION,
              WRITE_SPREAD_OVER_PARTITIONS,
              READ_SPLIT_TASK_SECONDS,
              PREFERRED_REGIONS,
              MULTI_REGION_WRITES,
              CHANGE_FEED_START_FROM,
              CHANGE_FEED_END_AT,
              CHANGE_FEED_MAX_ROWS_PER_TRIGGER,
              CHANGE_FEED_WRITE_TIMES));

  private static final Map<String, CosmosOption<?>> BY_LOWER_CASE_NAME = index();

  private CosmosOptions() {}

  /** Every option, in documentation order. */
  public static List<CosmosOption<?>> all() {
    return ALL;
  }

  /** The option with this short name or full key, ignoring case. */
  public static Optional<CosmosOption<?>> find(String nameOrKey) {
    String lower = nameOrKey.toLowerCase(Locale.ROOT);
    if (lower.startsWith(CosmosOption.PREFIX)) {
      lower = lower.substring(CosmosOption.PREFIX.length());
    }
    return Optional.ofNullable(BY_LOWER_CASE_NAME.get(lower));
  }

  /** The registered key closest to {@code key}, for "did you mean" messages. */
  public static String closestKey(String key) {
    String lower = key.toLowerCase(Locale.ROOT);
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (CosmosOption<?> option : ALL) {
      int distance = editDistance(lower, option.key().toLowerCase(Locale.ROOT));
      if (distance < bestDistance) {
        bestDistance = distance;
        best = option.key();
      }
    }
    return best;
  }

  /**
   * What {@code key} most likely meant, among the registered options (short names and full keys)
   * and {@code more} (each candidate, lower case, with the name to show for it), with its edit
   * distance; for "did you mean" messages.
   */
  public static Nearest nearest(String key, Map<String, String> more) {
    String lower = key.toLowerCase(Locale.ROOT);
    Map<String, String> candidates = new LinkedHashMap<>();
    for (CosmosOption<?> option : ALL) {
      candidates.put(option.key().toLowerCase(Locale.ROOT), option.key());
      candidates.put(option.name().toLowerCase(Locale.ROOT), option.name());
    }
    candidates.putAll(more);
    Nearest best = null;
    for (Map.Entry<String, String> candidate : candidates.entrySet()) {
      int distance = editDistance(lower, candidate.getKey());
      if (best == null || distance < best.distance) {
        best = new Nearest(candidate.getValue(), distance);
      }
    }
    return best;
  }

  /** A known name and how many letters separate it from what was given. */
  public static final class Nearest {
    private final String name;
    private final int distance;

    Nearest(String name, int distance) {
      this.name = name;
      this.distance = distance;
    }

    /** The known name, as it should be written. */
    public String name() {
      return name;
    }

    /** Letters added, removed or changed between the given key and {@link #name()}. */
    public int distance() {
      return distance;
    }
  }

  /**
   * The key among {@code given} that is most likely a misspelling of option {@code option}'s short
   * name (at most two letters off, any case), or null.
   */
  public static String misspelling(Iterable<String> given, CosmosOption<?> option) {
    String wanted = option.name().toLowerCase(Locale.ROOT);
    String best = null;
    int bestDistance = 3;
    for (String key : given) {
      String lower = key.toLowerCase(Locale.ROOT);
      int distance = editDistance(lower, wanted);
      if (distance > 0 && distance < bestDistance) {
        bestDistance = distance;
        best = key;
      }
    }
    return best;
  }

  /** Every full key, for error messages. */
  static List<String> keys() {
    List<String> keys = new ArrayList<>();
    for (CosmosOption<?> option : ALL) {
      keys.add(option.key());
    }
    return keys;
  }

  private static Map<String, CosmosOption<?>> index() {
    Map<String, CosmosOption<?>> index = new LinkedHashMap<>();
    for (CosmosOption<?> option : ALL) {
      index.put(option.name().toLowerCase(Locale.ROOT), option);
    }
    return Collections.unmodifiableMap(index);
  }

  private static int editDistance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitution, Math.min(previous[j] + 1, current[j - 1] + 1));
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }
}

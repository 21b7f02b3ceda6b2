package io.github.cosmosspark.core.config;

/**
 * Renders {@code docs/configuration.md} from the option declarations, so the documentation cannot
 * drift from the code: a test compares the file with this output.
 */
public final class ConfigurationReference {

  private ConfigurationReference() {}

  /** The whole configuration reference, as Markdown. */
  public static String markdown() {
    StringBuilder out = new StringBuilder();
    out.append("# Configuration reference\n\n")
        .append("<!-- Generated from CosmosOptions and ConnectorDefaults by")
        .append(" ConfigurationReferenceTest; edit those, not this file. -->\n\n")
        .append("Set an option per read or write with its short name")
        .append(" (`.option(\"account\", \"myaccount\")`) or its full key, or for the whole")
        .append(" session or cluster with its full key in the Spark configuration")
        .append(" (`spark.cosmos.cassandra.account`). A value is taken from the first of: the read")
        .append(" or write's option, `spark.cosmos.cassandra.*` in the session or Spark")
        .append(" configuration, the plain Spark Cassandra Connector key it falls back to,")
        .append(" the connection string, the default. The connection string counts as set at the")
        .append(" level it is given: an account given at a more specific level replaces it, one at")
        .append(" the same level must agree with it. Keys are matched without regard to case; an")
        .append(" unknown `spark.cosmos.cassandra.*` key is an error, and every other option is")
        .append(" checked as [below](#every-option-is-applied-mapped-or-refused) says. Other")
        .append(" `spark.cassandra.*`")
        .append(" settings reach the connector unchanged, except the ones the format sets from the")
        .append(" resolved values (`spark.cassandra.connection.host`, `.port`, `.ssl.enabled`,")
        .append(" `spark.cassandra.auth.username`) and the two factory keys")
        .append(" (`spark.cassandra.connection.factory`, `spark.cassandra.auth.conf.factory`),")
        .append(" which must be left to the format.\n\n")
        .append("The connector's own read and write options work as they do with SCC: `ttl`,")
        .append(" `writetime`, `confirm.truncate` (needed for `mode(\"overwrite\")`), `pushdown`,")
        .append(" `directJoinSetting`, and `spark.cassandra.input.*` / `spark.cassandra.output.*`.")
        .append(" Direct joins need SCC's planner extensions, as with SCC:")
        .append(
            " `spark.sql.extensions=com.datastax.spark.connector.CassandraSparkExtensions`.\n\n")
        .append("## Options\n\n")
        .append("| key | short name | type | default | falls back to | description |\n")
        .append("|---|---|---|---|---|---|\n");
    for (CosmosOption<?> option : CosmosOptions.all()) {
      out.append("| `")
          .append(option.key())
          .append("` | `")
          .append(option.name())
          .append("` | ")
          .append(option.type())
          .append(" | ")
          .append(option.defaultText().isEmpty() ? "—" : option.defaultText())
          .append(" | ")
          .append(fallbacks(option))
          .append(" | ")
          .append(option.doc())
          .append(" |\n");
    }
    out.append("\nSecrets (`secret` type) are named, or for the connection string hold")
        .append(" `Password=`, so that Spark's default `spark.redaction.regex`")
        .append(
            " (`(?i)secret|password|token|access[.]?key`, matched against keys and values) hides them")
        .append(" in the Spark UI, plans and event logs, and they never appear in our logs,")
        .append(" exception messages or `toString`.\n\n")
        .append("### Where to put the key\n\n")
        .append("Give exactly one of `password`, `connectionString`, `passwordEnv` and")
        .append(" `passwordFile` at one level (a read's, write's or catalog's options, or the")
        .append(" configuration); two at one level are an error naming both. A more specific")
        .append(" level replaces the key of a less specific one.\n\n")
        .append("- **Yes**: the cluster's Spark configuration (on Databricks, ideally a secret")
        .append(" reference such as `{{secrets/scope/cosmos-key}}`), `spark-submit --conf` or")
        .append(" `--properties-file`, or a read/write option")
        .append(" (`.option(\"password\", dbutils.secrets.get(...))`).\n")
        .append("- **Yes, and never in Spark's configuration**: `passwordEnv` naming an")
        .append(" environment variable of the driver, or `passwordFile` naming a file the driver")
        .append(" can read. These options hold only a name, so they can go anywhere,")
        .append(
            " `SparkSession.builder().config(...)` included: this is the place for the key of a")
        .append(" standalone application, for example a `spark-submit` Java application using the")
        .append(
            " catalog (`spark.sql.catalog.cosmos.passwordEnv=COSMOS_KEY`). On Databricks, set a")
        .append(" cluster environment variable to a secret reference,")
        .append(" `COSMOS_KEY={{secrets/<scope>/<key>}}`, and `spark.cosmos.cassandra.passwordEnv")
        .append(" COSMOS_KEY` in its Spark configuration.\n")
        .append("- **No**: the key itself in `SparkSession.builder().config(...)`. Spark 3.5 logs")
        .append(" builder options with their values at DEBUG, whatever the key.\n")
        .append("- **No**: `spark.conf().set(...)` at run time. Spark copies run-time session")
        .append(" settings into every job's properties, and its event log redacts only keys that")
        .append(
            " are also in the Spark configuration; cosmoscassandra logs a warning when it finds")
        .append(" a secret set this way.\n\n")
        .append("The driver reads the variable or file when it plans a read, write or catalog")
        .append(" statement; a variable that is not set or is empty, or a file that is missing,")
        .append(" unreadable or empty, is an error naming it, never showing what it holds. The key")
        .append(" then reaches executors exactly as `password` does: SCC builds its connection")
        .append(" configuration, credentials included, on the driver and ships it with the tasks,")
        .append(" and the format carries the key under `spark.cosmos.cassandra.resolved.password`,")
        .append(" which Spark's redaction hides. So executors need neither the variable nor the")
        .append(" file (a `spark-submit` shell's environment does not reach YARN or Kubernetes")
        .append(" executors), a wrong name fails the plan once instead of every task, and one job")
        .append(" uses one key even while the file is being replaced.\n\n")
        .append(checkedOptions())
        .append("## Connector settings cosmoscassandra changes\n\n")
        .append("Applied only when you have not set the key yourself.")
        .append(" `spark.cassandra.connection.keepAliveMS` is left at SCC 3.5's one hour: a")
        .append(" shorter time makes a notebook that pauses between cells reopen its session,")
        .append(" each connection with a TLS handshake and a login.\n\n")
        .append("| key | value | why |\n")
        .append("|---|---|---|\n");
    for (ConnectorDefaults.Setting setting : ConnectorDefaults.all()) {
      out.append("| `")
          .append(setting.key())
          .append("` | `")
          .append(setting.value())
          .append("` | ")
          .append(setting.reason())
          .append(" |\n");
    }
    out.append("\n## Driver settings\n\n")
        .append("Set by the connection factory (`")
        .append("io.github.cosmosspark.core.connection.CosmosConnectionFactory`) on every")
        .append(" session, over SCC's own:\n\n")
        .append("- **Protocol v4**: the only version Cosmos speaks; the driver does not try v5")
        .append(" first.\n")
        .append("- **TLS host name verification** on, as `spark.cosmos.cassandra.tls.")
        .append("hostnameVerification` says; SCC turns it off.\n")
        .append("- **TLS 1.2 and 1.3 only**, with the JVM's cipher suites instead of SCC's two")
        .append(" legacy RSA-CBC suites; Cosmos requires TLS 1.2 or newer.\n")
        .append("- **The trust store type** as `spark.cosmos.cassandra.tls.truststore.type` says;")
        .append(" the driver's own TLS setup reads every store as JKS.\n")
        .append(
            "- **The endpoint** the format resolved, whatever `spark.cassandra.connection.host`")
        .append(" a read also carries.\n")
        .append("- **Retries**: a session that resends 429s after Cosmos's `RetryAfterMs` on a")
        .append(" timer, and a retry policy that resends timeouts of idempotent statements at")
        .append(" once, in place of SCC's `MultipleRetryPolicy` (see retries.md).\n\n")
        .append("## With the plain connector format\n\n")
        .append("`format(\"org.apache.spark.sql.cassandra\")` gets the same connections when both")
        .append(" factories are set: `spark.cassandra.connection.factory=")
        .append("io.github.cosmosspark.core.connection.CosmosConnectionFactory` and")
        .append(" `spark.cassandra.auth.conf.factory=")
        .append("io.github.cosmosspark.core.connection.CosmosAuthConfFactory`. The Cosmos options")
        .append(" are then resolved from SCC's merged configuration. With only the connection")
        .append(
            " factory set, sessions get protocol v4, the retries (with default limits) and host name verification (read from")
        .append(
            " `spark.cosmos.cassandra.tls.hostnameVerification` in the Spark configuration), but")
        .append(" keep SCC's own TLS setup: no TLS version floor beyond the JVM's, and JKS trust")
        .append(" stores.\n\n")
        .append("SCC's own APIs (`CassandraConnector(sc)`, `sc.cassandraTable`, the plain format)")
        .append(" refuse the connector 2.x settings `spark.cassandra.connection.")
        .append("connections_per_executor_max` and `spark.cassandra.splitCount` in the Spark")
        .append(" configuration before any factory is called. The Spark plugin")
        .append(
            " `spark.plugins=io.github.cosmosspark.core.connection.CosmosSparkPlugin` maps them")
        .append(" (and Microsoft's helper factory) when the SparkContext starts, and sets both")
        .append(" factories where they are not set; with cosmos-spark's factories it also gives")
        .append(" SCC the account's endpoint and the connector settings below, as the format does,")
        .append(" so that SCC's APIs, the format and the catalog share one driver session; see")
        .append(" [databricks.md](databricks.md#3-the-clusters-spark-configuration).\n\n")
        .append("SCC's deprecated names (`spark.cassandra.connection.keep_alive_ms`,")
        .append(" `spark.cassandra.input.split.size_in_mb`, ...) are put under their new names")
        .append(" by cosmoscassandra, the catalog and the plugin before SCC sees them, with one")
        .append(" warning per name and JVM; SCC itself maps them on every copy of the")
        .append(" configuration it builds, and warns each time.\n");
    return out.toString();
  }

  /** What happens to each kind of option a read or write is given. */
  private static String checkedOptions() {
    StringBuilder groups = new StringBuilder();
    for (CosmosOption<?> option : CosmosOptions.all()) {
      int dot = option.name().indexOf('.');
      String group = dot > 0 ? "`" + option.name().substring(0, dot + 1) + "`" : null;
      if (group != null && groups.indexOf(group) < 0) {
        groups.append(groups.length() == 0 ? "" : ", ").append(group);
      }
    }
    return new StringBuilder()
        .append("## Every option is applied, mapped or refused\n\n")
        .append("The options of a read, a write or a streaming write, of the SQL catalog")
        .append(" (`spark.sql.catalog.<name>.*`) and of `CREATE TEMPORARY VIEW … USING")
        .append(" cosmoscassandra OPTIONS (…)` are checked on the driver before anything connects.")
        .append(" The Spark Cassandra Connector's own source passes every per-read key it does not")
        .append(
            " read into its configuration, where nothing reads it, so without this check a typo")
        .append(" would be ignored.\n\n")
        .append("| the option | what happens |\n")
        .append("|---|---|\n")
        .append("| an option of the table above, by short name or full key | applied |\n")
        .append(
            "| a name the connector (SCC 3.5) reads: every setting it declares (its reference's")
        .append(
            " `spark.cassandra.*` keys, and the 2.x snake-case names it maps itself with its own")
        .append(" warning), and its source's options `keyspace`, `table`, `cluster`, `pushdown`,")
        .append(" `confirm.truncate`, `ttl`, `writetime`, `directJoinSetting`,")
        .append(" `directJoinSizeRatio`, `ignoreMissingMetaColumns` | applied by the connector, as")
        .append(" with its own format |\n")
        .append("| a short name of a connector setting: `output.consistency.level`, or the SQL")
        .append(" form `spark_cassandra_output_consistency_level` | the connector 3 reads no short")
        .append(" name (2.x did) and would ignore it; cosmoscassandra applies it as the full name")
        .append(" (`spark.cassandra.output.consistency.level`) and says so in one warning per name")
        .append(" per JVM. Beside the full name with another value: refused |\n")
        .append("| `spark.cassandra.query.retry.count`, `spark.cassandra.connection.")
        .append("connections_per_executor_max`, `spark.cassandra.splitCount`, the helper's")
        .append(" connection factory | mapped, with one warning each (migration.md) |\n")
        .append("| `spark.cassandra.connection.compression` other than `NONE` | refused when a")
        .append(
            " session is opened (`CosmosConfigException`): Cosmos refuses compressed requests |\n")
        .append("| a key two letters or fewer from one of the names above (one letter for names of")
        .append(" up to four letters), or one starting with `spark.cassandra.`, `spark.cosmos.`,")
        .append(" `spark.dse.`, ")
        .append(groups)
        .append(" or a group of the connector's settings without `spark.cassandra.` (`output.`,")
        .append(" `input.`, `connection.`, …), that is none of them | refused: `Unknown option")
        .append(" '<key>'; did you mean '<closest>'? …` |\n")
        .append(
            "| anything else, such as Spark's `path` or a stream's `checkpointLocation` | passed")
        .append(" on, as the connector's format does; a key other than `path`, `paths` and")
        .append(
            " `checkpointLocation` is named in one warning per JVM, since nothing reads it |\n\n")
        .append(
            "In the Spark configuration, an unknown `spark.cosmos.cassandra.*` key is refused by")
        .append(" cosmoscassandra and an unknown `spark.cassandra.*` key by the connector's own")
        .append(" check, when the read or write is planned.\n\n")
        .append("A `spark.cassandra.output.concurrent.writes` or `spark.cassandra.input.fetch.")
        .append(
            "sizeInRows` of yours is kept even when the job has a budget. When it is below what")
        .append(" the budget needs, one warning per key per JVM says what it costs, from the same")
        .append(
            " rule that sizes requests when you leave them to cosmos-spark (a task's requests in")
        .append(" flight cover 100 ms; a page is a tenth of a task's second of budget):")
        .append(
            " `'spark.cassandra.output.concurrent.writes=5' holds this write to about N RU/s of")
        .append(
            " its M RU/s budget on <keyspace.table>; remove it to let cosmos-spark size requests")
        .append(" from the budget (it would use K).`\n\n")
        .toString();
  }

  private static String fallbacks(CosmosOption<?> option) {
    if (option.connectorFallbackKeys().isEmpty()) {
      return "—";
    }
    StringBuilder keys = new StringBuilder();
    for (String key : option.connectorFallbackKeys()) {
      keys.append(keys.length() == 0 ? "" : ", ").append('`').append(key).append('`');
    }
    return keys.toString();
  }
}

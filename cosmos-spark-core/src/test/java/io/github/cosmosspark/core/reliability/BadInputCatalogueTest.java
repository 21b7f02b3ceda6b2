package io.github.cosmosspark.core.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import io.github.cosmosspark.core.EmulatorBooks;
import io.github.cosmosspark.core.catalog.CosmosCassandraCatalog;
import io.github.cosmosspark.core.errors.CosmosConfigException;
import io.github.cosmosspark.core.errors.CosmosDataException;
import io.github.cosmosspark.testkit.emulator.CosmosEmulator;
import io.github.cosmosspark.testkit.junit.CosmosEmulatorTest;
import io.github.cosmosspark.testkit.spark.LocalSpark;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * The catalogue of bad input (docs/reliability.md, "4. Bad input"): each goes in through the entry
 * point a user has (a read or write of format {@code cosmoscassandra}, or the SQL catalog), and is
 * refused with a message that names the option, column or object at fault and says what to do,
 * never the key; a refused write leaves the target table as it was, or exactly what is said below.
 * Each test prints the message as the user sees it ("BAD INPUT ..."), for the document.
 */
@CosmosEmulatorTest
class BadInputCatalogueTest {
  private static final String KEYSPACE = "reliability_bad_input";
  private static final String SPARK_CATALOG = "badinput";

  private final CosmosEmulator emulator;
  private final SparkSession spark = LocalSpark.session();

  BadInputCatalogueTest(CosmosEmulator emulator) {
    this.emulator = emulator;
  }

  /** Counts rows directly, not through the connector under test. */
  private static CqlSession direct;

  @BeforeAll
  static void createKeyspace(CosmosEmulator emulator) {
    EmulatorBooks.createKeyspace(emulator, KEYSPACE);
    direct = emulator.newSession();
  }

  @AfterAll
  static void closeSession() {
    if (direct != null) {
      direct.close();
    }
  }

  // Options, refused on the driver when the read or write is planned.

  @Test
  void aMisspeltCosmosOptionIsNamedWithTheOneMeant() {
    Map<String, String> options = options("books");
    options.put("spark.cosmos.cassandra.retry.maxAtempts", "3");
    String message = readFailure("misspelt option", options);
    assertContains(
        message,
        "Unknown option 'spark.cosmos.cassandra.retry.maxAtempts'; did you mean"
            + " 'spark.cosmos.cassandra.retry.maxAttempts'?");
  }

  @Test
  void aMisspeltShortOptionOfAWriteIsNamedWithTheOneMeantAndWritesNothing() {
    String table = table("misspelt_short_option");
    Map<String, String> options = options(table);
    options.put("throughput.targetRuPerSecnd", "2000");
    String message = writeFailure("misspelt short option", books(0, 3), options);
    assertContains(
        message,
        "Unknown option 'throughput.targetRuPerSecnd'; did you mean 'throughput.targetRuPerSecond'?"
            + " Neither cosmoscassandra nor the Spark Cassandra Connector reads"
            + " 'throughput.targetRuPerSecnd', so it would be ignored. The options are listed in"
            + " docs/configuration.md.");
    assertEquals(0, rows(table));
  }

  @Test
  void aShortConnectorNameAndItsFullNameWithDifferentValuesAreNamed() {
    String table = table("short_and_full");
    Map<String, String> options = options(table);
    options.put("output.consistency.level", "ALL");
    options.put("spark.cassandra.output.consistency.level", "LOCAL_QUORUM");
    String message = writeFailure("short and full connector name", books(0, 3), options);
    assertContains(
        message,
        "Options 'output.consistency.level' and 'spark.cassandra.output.consistency.level' are"
            + " both set, to different values; 'output.consistency.level' is a short name of"
            + " 'spark.cassandra.output.consistency.level'. Keep only"
            + " 'spark.cassandra.output.consistency.level'.");
    assertEquals(0, rows(table));
  }

  @Test
  void aSplitCountThatIsNotANumberIsNamed() {
    Map<String, String> options = options("books");
    options.put("spark.cassandra.splitCount", "many");
    String message = readFailure("spark.cassandra.splitCount not a number", options);
    assertContains(
        message,
        "Option 'spark.cassandra.splitCount' must be a number of Spark partitions of 1 or more,"
            + " got 'many'.");
  }

  @Test
  void aMisspeltKeyspaceOptionIsPointedOut() {
    Map<String, String> options = options("books");
    options.put("keyspce", options.remove("keyspace"));
    String message = readFailure("misspelt keyspace option", options);
    assertContains(message, "Unknown option 'keyspce'; did you mean 'keyspace'?");
  }

  @Test
  void noTableOptionSaysWhichOptionToSet() {
    Map<String, String> options = options("books");
    options.remove("table");
    assertContains(
        readFailure("no table option", options),
        "Name the table to read or write: .option(\"keyspace\", \"<keyspace>\")"
            + ".option(\"table\", \"<table>\") (table is missing).");
  }

  @Test
  void aPortThatIsNotANumberIsNamed() {
    Map<String, String> options = options("books");
    options.put("port", "ten");
    assertContains(
        readFailure("port not a number", options),
        "Option 'port' must be a whole number of port, got 'ten'.");
  }

  @Test
  void aPortOutOfRangeIsNamed() {
    Map<String, String> options = options("books");
    options.put("port", "70000");
    assertContains(
        readFailure("port out of range", options),
        "Option 'port' must be a number of port from 1 to 65535, got 70000.");
  }

  @Test
  void aNegativeMaximumOfAttemptsIsNamed() {
    Map<String, String> options = options("books");
    options.put("retry.maxAttempts", "-1");
    assertContains(
        readFailure("negative retry.maxAttempts", options),
        "Option 'retry.maxAttempts' must be a number of attempts from 1 to 2147483647, got -1.");
  }

  @Test
  void aThroughputFractionGivenAsAPercentageIsNamed() {
    Map<String, String> options = options("books");
    options.put("throughput.fraction", "90");
    assertContains(
        readFailure("throughput.fraction > 1", options),
        "Option 'throughput.fraction' must be a fraction greater than 0 and at most 1"
            + " (0.9 = 90 %), got '90'.");
  }

  @Test
  void anotherApisConnectionStringIsRefusedWithoutShowingItsKey() {
    Map<String, String> options = options("books");
    options.put(
        "connectionString",
        "AccountEndpoint=https://"
            + emulator.account()
            + ".documents.azure.com:443/;AccountKey="
            + emulator.key()
            + ";");
    String message = readFailure("NoSQL API connection string", options);
    assertContains(
        message,
        "Option 'connectionString' is not a connection string as the Azure portal shows it (it"
            + " has a field 'AccountEndpoint'; expected HostName, Username, Password and Port)."
            + " Copy PRIMARY CONNECTION STRING from the account's Connection String page");
  }

  @Test
  void anAccountThatDisagreesWithTheConnectionStringIsNamed() {
    Map<String, String> options = options("books");
    options.put("account", emulator.account());
    options.put(
        "connectionString",
        "HostName=other.cassandra.cosmos.azure.com;Username=other;Password="
            + emulator.key()
            + ";Port=10350");
    assertContains(
        readFailure("account and connection string disagree", options),
        "Option 'account' names account '"
            + emulator.account()
            + "' but 'connectionString' is for account 'other'. Set only one of them, or make"
            + " them agree.");
  }

  @Test
  void anEmptyKeyIsNamed() {
    Map<String, String> options = options("books");
    options.put("spark.cosmos.cassandra.password", "");
    assertContains(
        readFailure("empty key", options),
        "Option 'spark.cosmos.cassandra.password' is set but empty.");
  }

  @Test
  void turningOffTlsTheConnectorsWayIsRefused() {
    Map<String, String> options = options("books");
    options.put("spark.cassandra.connection.ssl.enabled", "false");
    assertContains(
        readFailure("TLS off with SCC's key", options),
        "'spark.cassandra.connection.ssl.enabled' is false, but Cosmos DB needs TLS and"
            + " cosmoscassandra keeps it on.");
  }

  @Test
  void aMissingTrustStoreIsNamed() {
    Map<String, String> options = options("books");
    options.put("spark.cosmos.cassandra.tls.truststore.path", "/nonexistent/truststore.p12");
    assertContains(
        readFailure("missing trust store", options),
        "The trust store '/nonexistent/truststore.p12' (spark.cosmos.cassandra.tls.truststore.path)"
            + " does not exist on this machine.");
  }

  @Test
  void aWrongTrustStorePasswordIsNamedButNotShown() {
    Map<String, String> options = options("books");
    options.put("spark.cosmos.cassandra.tls.truststore.password", "not-the-store-password");
    String message = readFailure("wrong trust store password", options);
    assertContains(
        message,
        "as PKCS12: the password is wrong. Check spark.cosmos.cassandra.tls.truststore.password.");
    assertFalse(message.contains("not-the-store-password"), message);
  }

  // Objects: the table, the keyspace, the account and its keys, the endpoint.

  @Test
  void readingATableThatDoesNotExistNamesIt() {
    assertContains(
        readFailure("read of a missing table", options("no_such_table")),
        "Couldn't find table "
            + KEYSPACE
            + ".no_such_table in account '"
            + emulator.account()
            + "'. Check the options 'keyspace' and 'table'");
  }

  @Test
  void writingToATableThatDoesNotExistNamesIt() {
    assertContains(
        writeFailure("write to a missing table", books(0, 3), options("no_such_table")),
        "Couldn't find table "
            + KEYSPACE
            + ".no_such_table in account '"
            + emulator.account()
            + "'. Check the options 'keyspace' and 'table'");
  }

  @Test
  void writingToAKeyspaceThatDoesNotExistNamesIt() {
    Map<String, String> options = options("books");
    options.put("keyspace", "no_such_keyspace");
    assertContains(
        writeFailure("write to a missing keyspace", books(0, 3), options),
        "Couldn't find keyspace no_such_keyspace in account '"
            + emulator.account()
            + "'. Check the option 'keyspace', or create the keyspace first");
  }

  @Test
  void aWrongKeyNamesTheAccountAndWritesNothing() {
    String table = table("wrong_key");
    Map<String, String> options = options(table);
    options.put("spark.cosmos.cassandra.password", "wrong" + emulator.key());
    String message = writeFailure("wrong key", books(0, 3), options);
    assertContains(
        message, "Cosmos DB refused the credentials of account '" + emulator.account() + "'");
    assertContains(message, "Check spark.cosmos.cassandra.password");
    assertFalse(message.contains("wrong" + emulator.key()), message);
    assertEquals(0, rows(table));
  }

  @Test
  void aWriteWithTheReadOnlyKeyNamesTheAccountAndWritesNothing() {
    String table = table("read_only_key");
    Map<String, String> options = options(table);
    options.put("spark.cosmos.cassandra.password", emulator.readOnlyKey());
    String message = writeFailure("write with the read-only key", books(0, 3), options);
    assertContains(
        message,
        "Cosmos DB account '"
            + emulator.account()
            + "' refused to write to "
            + KEYSPACE
            + "."
            + table
            + " (Operation not allowed with a read-only key");
    assertContains(
        message,
        "A read-only key cannot write: set spark.cosmos.cassandra.password to the account's"
            + " read-write key");
    assertEquals(0, rows(table));
  }

  @Test
  void anUnreachableEndpointNamesTheAccountHostAndPortAndWritesNothing() throws IOException {
    String table = table("unreachable");
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      closedPort = socket.getLocalPort();
    }
    Map<String, String> options = options(table);
    options.put("port", Integer.toString(closedPort));
    String message = writeFailure("unreachable endpoint", books(0, 3), options);
    assertContains(
        message,
        "Could not connect to account '"
            + emulator.account()
            + "' at {127.0.0.1:"
            + closedPort
            + "} within the connect timeout of 10000 ms");
    assertContains(message, "Check spark.cosmos.cassandra.host and port");
    assertEquals(0, rows(table));
  }

  /**
   * The driver would drop a contact point whose host does not resolve and connect to its default,
   * 127.0.0.1:9042, with the key (issue 22). No Azure host name resolves on the test machine.
   */
  @Test
  void aMisspeltAccountNamesTheHostDerivedFromItAndConnectsNowhere() {
    String table = table("misspelt_account");
    Map<String, String> options = options(table);
    options.remove("spark.cosmos.cassandra.host");
    options.put("spark.cosmos.cassandra.account", "no-such-account-typo");
    String message = configurationFailure("misspelt account", books(0, 3), options);
    assertContains(
        message,
        "CosmosConfigException: The host name 'no-such-account-typo.cassandra.cosmos.azure.com', derived from account"
            + " 'no-such-account-typo' (spark.cosmos.cassandra.account), does not resolve on this"
            + " machine. Check the account name: it must be an existing Cosmos DB for Apache"
            + " Cassandra account, spelt as the Azure portal shows it.");
    assertFalse(message.contains("127.0.0.1:9042"), message);
    assertEquals(0, rows(table));
  }

  @Test
  void aHostThatDoesNotResolveIsNamedAndConnectsNowhere() {
    String table = table("unresolvable_host");
    Map<String, String> options = options(table);
    options.put("host", "no-such-host.invalid");
    String message = configurationFailure("host that does not resolve", books(0, 3), options);
    assertContains(
        message,
        "CosmosConfigException: The host name 'no-such-host.invalid' (spark.cosmos.cassandra.host) does not resolve on"
            + " this machine. Check the option: unset, it is derived from account '"
            + emulator.account()
            + "'");
    assertFalse(message.contains("127.0.0.1:9042"), message);
    assertEquals(0, rows(table));
  }

  // Save modes.

  @Test
  void aWriteWithoutAModeToATableThatExistsSaysAppendAndWritesNothing() {
    String table = table("no_mode");
    write(books(0, 2), options(table));
    String message =
        configurationFailure(
            "write without a save mode (ErrorIfExists), table exists",
            () -> books(10, 13).write().format("cosmoscassandra").options(options(table)).save());
    assertContains(
        message,
        "Table "
            + KEYSPACE
            + ".no_mode exists, and this write has save mode ErrorIfExists (Spark's default when"
            + " no mode is given) or Ignore, which would fail or skip the whole write because the"
            + " table exists. Write with .mode(\"append\"): each row is then written by its"
            + " primary key");
    assertEquals(ids(0, 1), ids(table));
  }

  @Test
  void ignoreModeIsRefusedLikeErrorIfExistsAndWritesNothing() {
    String table = table("ignore_mode");
    String message =
        configurationFailure(
            "write in Ignore mode, table exists",
            () ->
                books(0, 3)
                    .write()
                    .format("cosmoscassandra")
                    .options(options(table))
                    .mode("ignore")
                    .save());
    assertContains(message, "Table " + KEYSPACE + ".ignore_mode exists");
    assertContains(message, "Write with .mode(\"append\")");
    assertEquals(0, rows(table));
  }

  @Test
  void aWriteWithoutAModeToAMissingTableSaysCreateItAndCreatesNothing() {
    String message =
        configurationFailure(
            "write without a save mode (ErrorIfExists), table missing",
            () ->
                books(0, 3)
                    .write()
                    .format("cosmoscassandra")
                    .options(options("no_mode_missing"))
                    .save());
    assertContains(
        message,
        "Table "
            + KEYSPACE
            + ".no_mode_missing does not exist, and this write has save mode ErrorIfExists");
    assertContains(message, "then write with .mode(\"append\"). Nothing was written.");
    assertFalse(tableExists("no_mode_missing"));
  }

  @Test
  void overwriteWithoutConfirmingTheTruncateLeavesTheTableAsItWas() {
    String table = table("overwrite");
    write(books(0, 3), options(table));
    String message =
        failure(
            "overwrite without confirm.truncate",
            () ->
                books(10, 12)
                    .write()
                    .format("cosmoscassandra")
                    .options(options(table))
                    .mode("overwrite")
                    .save());
    assertContains(message, "You are attempting to use overwrite mode which will truncate");
    assertContains(message, "\"confirm.truncate\"");
    assertEquals(ids(0, 1, 2), ids(table));
  }

  // DataFrames the table cannot take: refused when the write is planned, before any task runs.

  @Test
  void aColumnTheTableLacksIsNamedBeforeAnyTaskRuns() {
    String table = table("extra_column");
    String message =
        planningFailure(
            "DataFrame column not in the table",
            spark.sql("SELECT 1 AS id, 'x' AS titel"),
            options(table));
    assertContains(
        message,
        "Cannot write to "
            + KEYSPACE
            + "."
            + table
            + ": the DataFrame's column(s) [titel] are not in the table, whose columns are"
            + " [id, pages, title]. Drop or rename them before the write.");
    assertEquals(0, rows(table));
  }

  @Test
  void aMissingPrimaryKeyColumnIsNamedBeforeAnyTaskRuns() {
    String table = table("missing_key");
    String message =
        planningFailure(
            "DataFrame without the primary key column",
            spark.sql("SELECT 'x' AS title, 3 AS pages"),
            options(table));
    assertContains(
        message,
        "Cannot write to "
            + KEYSPACE
            + "."
            + table
            + ": the DataFrame has no column for the primary key column(s) [id], and every row"
            + " needs its whole primary key [id].");
    assertEquals(0, rows(table));
  }

  @Test
  void textForANumberColumnIsRefusedBeforeAnyTaskRuns() {
    String table = table("text_for_int");
    String message =
        planningFailure(
            "string into an int column",
            spark.sql("SELECT 1 AS id, 'abc' AS pages"),
            options(table));
    assertContains(
        message,
        "Cannot write to "
            + KEYSPACE
            + "."
            + table
            + ": column 'pages' is string in the DataFrame but int in the table;");
    assertContains(
        message,
        "Cast the column first: col(\"pages\").cast(\"int\"), or set"
            + " spark.sql.storeAssignmentPolicy=LEGACY");
    assertEquals(0, rows(table));
  }

  @Test
  void aStructForATextColumnIsRefusedBeforeAnyTaskRuns() {
    String table = table("struct_for_text");
    String message =
        planningFailure(
            "struct into a text column",
            spark.sql("SELECT 1 AS id, named_struct('name', 'x', 'year', 1999) AS title"),
            options(table));
    assertContains(
        message,
        ": column 'title' is struct<name:string,year:int> in the DataFrame but text in the table;"
            + " a nested value cannot be stored in it.");
    assertEquals(0, rows(table));
  }

  /**
   * Spark's analyzer refuses an interval column before the connector sees the write, with its own
   * message, which names no column.
   */
  @Test
  void anIntervalIsRefusedBySparkBeforeTheConnectorSeesTheWrite() {
    String table = table("interval");
    String message =
        writeFailure(
            "Spark interval (CalendarIntervalType)",
            spark.sql("SELECT 1 AS id, make_interval(0, 0, 0, 1, 0, 0, 0) AS title"),
            options(table));
    assertContains(message, "Cannot use interval type in the table schema.");
    assertEquals(0, rows(table));
  }

  /** SCC has no conversion for Spark 3.4's timestamp without time zone into a timestamp. */
  @Test
  void aTimestampWithoutTimeZoneForATimestampColumnIsRefusedBeforeAnyTaskRuns() {
    direct.execute(
        "CREATE TABLE "
            + KEYSPACE
            + ".ntz_for_timestamp (id int PRIMARY KEY, published timestamp)"
            + " WITH cosmosdb_provisioned_throughput=400");
    String message =
        planningFailure(
            "timestamp_ntz into a timestamp column",
            spark.sql("SELECT 1 AS id, TIMESTAMP_NTZ '2024-02-29 10:11:12' AS published"),
            options("ntz_for_timestamp"));
    assertContains(
        message,
        "Cannot write to "
            + KEYSPACE
            + ".ntz_for_timestamp: column 'published' is timestamp_ntz in the DataFrame but"
            + " timestamp in the table; SCC cannot convert Spark's timestamp without time zone");
    assertContains(message, "col(\"published\").cast(\"timestamp\")");
    assertEquals(0, rows("ntz_for_timestamp"));
  }

  /** SCC has no conversion for Spark's year-month interval into a number. */
  @Test
  void aYearMonthIntervalForANumberColumnIsRefusedBeforeAnyTaskRuns() {
    String table = table("year_month_for_int");
    String message =
        planningFailure(
            "year-month interval into an int column",
            spark.sql("SELECT 1 AS id, INTERVAL '3-4' YEAR TO MONTH AS pages"),
            options(table));
    assertContains(
        message,
        ": column 'pages' is interval year to month in the DataFrame but int in the table; SCC"
            + " cannot convert Spark's year-month interval");
    assertEquals(0, rows(table));
  }

  /**
   * SCC matches columns without regard to case: of two DataFrame columns that differ only in case,
   * one's values would land in the other's column (seen in a test: a quoted "Title" column got the
   * values of "title").
   */
  @Test
  void columnsThatDifferOnlyInCaseAreRefusedBeforeAnyTaskRuns() {
    direct.execute(
        "CREATE TABLE "
            + KEYSPACE
            + ".same_but_case (id int PRIMARY KEY, \"Title\" text, title text)"
            + " WITH cosmosdb_provisioned_throughput=400");
    String message;
    spark.conf().set("spark.sql.caseSensitive", "true");
    try {
      message =
          planningFailure(
              "DataFrame columns that differ only in case",
              spark.sql("SELECT 1 AS id, 'Upper' AS Title, 'lower' AS title"),
              options("same_but_case"));
    } finally {
      spark.conf().unset("spark.sql.caseSensitive");
    }
    assertContains(
        message,
        "Cannot write to "
            + KEYSPACE
            + ".same_but_case: the DataFrame's columns [Title, title] differ only in case.");
    assertEquals(0, rows("same_but_case"));
  }

  // Rows Cosmos would refuse, found by the task before the row is sent.

  @Test
  void aNullPrimaryKeyStopsTheTaskAtThatRowAndARerunOfTheFixedDataIsExact() {
    String table = table("null_key");
    // The rows reach the task in the order given: no shuffle by the partition key.
    Map<String, String> inOrder = options(table);
    inOrder.put("write.spreadOverPartitions", "false");
    // One partition, in id order: the row with the null key is the first.
    Dataset<org.apache.spark.sql.Row> nullFirst =
        spark
            .range(0, 5)
            .selectExpr("IF(id = 0, NULL, CAST(id AS INT)) AS id", "'t' AS title")
            .coalesce(1);
    String message = failure("null primary key", () -> write(nullFirst, inOrder));
    assertContains(
        message,
        "A row for "
            + KEYSPACE
            + "."
            + table
            + " has no value in its partition key column 'id' (the primary key is (id=null));"
            + " Cassandra stores no row without its whole primary key.");
    assertEquals(0, rows(table), "the first row failed: nothing was sent");

    // The null key third: the two rows handed to SCC before it are written, nothing after it.
    Dataset<org.apache.spark.sql.Row> nullThird =
        spark
            .range(0, 5)
            .selectExpr("IF(id = 2, NULL, CAST(id AS INT)) AS id", "'t' AS title")
            .coalesce(1);
    failure("null primary key (third row)", () -> write(nullThird, inOrder));
    assertEquals(ids(0, 1), ids(table));

    write(nullThird.filter("id IS NOT NULL"), inOrder);
    assertEquals(ids(0, 1, 3, 4), ids(table), "the rerun wrote each row once, rows 0 and 1 again");
  }

  @Test
  void aRowOverTwoMegabytesIsRefusedBeforeItIsSent() {
    String table = "oversized";
    EmulatorBooks.createTable(emulator, KEYSPACE, table, 100_000);
    Dataset<org.apache.spark.sql.Row> oversized =
        spark.sql("SELECT 7 AS id, repeat('x', 2200000) AS title");
    String message = failure("row over 2 MB", () -> write(oversized, options(table)));
    assertContains(
        message,
        "The row of "
            + KEYSPACE
            + "."
            + table
            // 2,200,000 bytes of text and the int key's 4.
            + " with primary key (id=7) is 2200004 bytes; Cosmos DB stores at most 2097152 bytes"
            + " (2 MB) in one row.");
    assertEquals(0, rows(table));

    write(spark.sql("SELECT 8 AS id, repeat('x', 2000000) AS title"), options(table));
    assertEquals(ids(8), ids(table), "a row under the limit is written");
  }

  // The SQL catalog: DDL checked before a statement is sent, Spark's own errors for the rest.

  @Test
  void catalogDdlWithAThroughputCosmosWouldRefuseIsNamed() {
    String message =
        catalogFailure(
            "CREATE TABLE with throughput not a multiple of 100",
            "CREATE TABLE "
                + SPARK_CATALOG
                + "."
                + KEYSPACE
                + ".bad_throughput (id INT, v STRING) PARTITIONED BY (id)"
                + " TBLPROPERTIES ('cosmosdb_provisioned_throughput'='450')");
    assertContains(
        message,
        "CREATE TABLE "
            + SPARK_CATALOG
            + "."
            + KEYSPACE
            + ".bad_throughput: property 'cosmosdb_provisioned_throughput' is 450 RU/s; Cosmos"
            + " takes manual throughput in steps of 100 RU/s. Use 400 or 500.");
    assertFalse(tableExists("bad_throughput"));
  }

  @Test
  void catalogDdlWithoutAPartitionKeyIsRefused() {
    String message =
        catalogFailure(
            "CREATE TABLE without a partition key",
            "CREATE TABLE " + SPARK_CATALOG + "." + KEYSPACE + ".no_key (id INT, v STRING)");
    assertContains(
        message,
        "CREATE TABLE "
            + SPARK_CATALOG
            + "."
            + KEYSPACE
            + ".no_key has no partition key. Add PARTITIONED BY (column, ...)");
    assertFalse(tableExists("no_key"));
  }

  @Test
  void catalogInsertIntoATableThatDoesNotExistNamesIt() {
    assertContains(
        catalogFailure(
            "INSERT INTO a missing table",
            "INSERT INTO " + SPARK_CATALOG + "." + KEYSPACE + ".no_such_table VALUES (1, 'x', 3)"),
        "[TABLE_OR_VIEW_NOT_FOUND] The table or view `"
            + SPARK_CATALOG
            + "`.`"
            + KEYSPACE
            + "`.`no_such_table` cannot be found.");
  }

  // Helpers.

  private String table(String name) {
    EmulatorBooks.createTable(emulator, KEYSPACE, name, 400);
    return name;
  }

  private Map<String, String> options(String table) {
    return EmulatorBooks.options(emulator, KEYSPACE, table);
  }

  private Dataset<org.apache.spark.sql.Row> books(int from, int to) {
    return EmulatorBooks.books(spark, from, to).coalesce(1);
  }

  private void write(Dataset<org.apache.spark.sql.Row> data, Map<String, String> options) {
    data.write().format("cosmoscassandra").options(options).mode("append").save();
  }

  private String readFailure(String input, Map<String, String> options) {
    return failure(input, () -> spark.read().format("cosmoscassandra").options(options).load());
  }

  private String writeFailure(
      String input, Dataset<org.apache.spark.sql.Row> data, Map<String, String> options) {
    return failure(input, () -> write(data, options));
  }

  /**
   * A write refused on the driver: the error is ours, not a failed Spark job, and says the data
   * does not fit the table.
   */
  private String planningFailure(
      String input, Dataset<org.apache.spark.sql.Row> data, Map<String, String> options) {
    CosmosDataException error = assertThrows(CosmosDataException.class, () -> write(data, options));
    return report(input, error);
  }

  /** A write whose settings are refused on the driver, before any connection is opened. */
  private String configurationFailure(
      String input, Dataset<org.apache.spark.sql.Row> data, Map<String, String> options) {
    return configurationFailure(input, () -> write(data, options));
  }

  /** A write refused on the driver with cosmos-spark's own configuration error. */
  private String configurationFailure(String input, Executable write) {
    return report(input, assertThrows(CosmosConfigException.class, write));
  }

  private String catalogFailure(String input, String statement) {
    SparkSession session = spark.newSession();
    session
        .conf()
        .set("spark.sql.catalog." + SPARK_CATALOG, CosmosCassandraCatalog.class.getName());
    for (Map.Entry<String, String> setting : EmulatorBooks.connectionOptions(emulator).entrySet()) {
      session
          .conf()
          .set(
              "spark.sql.catalog."
                  + SPARK_CATALOG
                  + "."
                  + setting.getKey().substring("spark.cosmos.cassandra.".length()),
              setting.getValue());
    }
    SparkSession.setActiveSession(session);
    try {
      return failure(input, () -> session.sql(statement));
    } finally {
      SparkSession.setActiveSession(spark);
    }
  }

  private String failure(String input, Executable action) {
    return report(input, assertThrows(Throwable.class, action));
  }

  /**
   * The messages of the error and its causes, as the user sees them one after the other; never a
   * key.
   */
  private String report(String input, Throwable error) {
    StringBuilder chain = new StringBuilder();
    for (Throwable cause = error; cause != null; cause = cause.getCause()) {
      chain.append(cause.getClass().getSimpleName()).append(": ").append(cause.getMessage());
      chain.append(" | ");
    }
    String message = chain.toString();
    assertFalse(message.contains(emulator.key()), "the key is in: " + message);
    assertFalse(message.contains(emulator.readOnlyKey()), "the read-only key is in: " + message);
    assertFalse(
        message.contains(emulator.truststorePassword()), "the store password is in: " + message);
    System.out.println("BAD INPUT [" + input + "] " + message.replace('\n', ' '));
    return message;
  }

  private static void assertContains(String message, String expected) {
    assertTrue(message.contains(expected), () -> "expected '" + expected + "' in: " + message);
  }

  private long rows(String table) {
    return direct.execute("SELECT COUNT(*) FROM " + KEYSPACE + "." + table).one().getLong(0);
  }

  private Set<Integer> ids(String table) {
    Set<Integer> ids = new TreeSet<>();
    for (Row row : direct.execute("SELECT id FROM " + KEYSPACE + "." + table)) {
      ids.add(row.getInt("id"));
    }
    return ids;
  }

  private static Set<Integer> ids(Integer... ids) {
    return new TreeSet<>(Arrays.asList(ids));
  }

  private boolean tableExists(String table) {
    direct.refreshSchema();
    return direct.getMetadata().getKeyspace(KEYSPACE).get().getTable(table).isPresent();
  }
}

package io.github.cosmosspark.core.datasource;

import io.github.cosmosspark.core.errors.CosmosConfigException;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.sql.catalyst.analysis.NoSuchNamespaceException;
import org.apache.spark.sql.catalyst.analysis.NoSuchTableException;
import org.apache.spark.sql.connector.catalog.Identifier;
import org.apache.spark.sql.connector.catalog.Table;
import org.apache.spark.sql.connector.catalog.TableCatalog;
import org.apache.spark.sql.connector.catalog.TableChange;
import org.apache.spark.sql.connector.expressions.Transform;
import org.apache.spark.sql.internal.SQLConf$;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;

/**
 * The catalog Spark resolves a {@code format("cosmoscassandra")} read or write through.
 *
 * <p>Spark gives a data source a say in the save modes ErrorIfExists (its default) and Ignore only
 * when the source names a catalog ({@code SupportsCatalogOptions}); otherwise it refuses them with
 * a message that names neither the table nor why. Through this catalog such a write reaches {@link
 * #tableExists} first, and is refused there, before any row is read, with the table, the reason and
 * {@code .mode("append")}. Reads and appends load the very table the format would have made without
 * a catalog, from the read's or write's own options.
 *
 * <p>Spark's catalog manager makes a catalog from a name found in the session configuration and
 * hands it only that configuration, so each distinct set of options gets a name of its own ({@code
 * cosmoscassandra_N}); the options themselves (keys included) stay in this JVM's memory and never
 * enter the configuration, the plan or the UI.
 */
public final class FormatCatalog implements TableCatalog {

  /** The prefix of the catalogs' names, as plans show them: {@code cosmoscassandra_1.ks.t}. */
  static final String NAME_PREFIX = CosmosCassandraTableProvider.SHORT_NAME + "_";

  private static final Registry REGISTRY = new Registry();

  private final CosmosCassandraTableProvider provider = new CosmosCassandraTableProvider();
  private String name;
  private CaseInsensitiveStringMap options;

  /** The name of the catalog for these options, resolvable in every session of this JVM. */
  static String nameFor(CaseInsensitiveStringMap options) {
    return REGISTRY.nameFor(options.asCaseSensitiveMap());
  }

  @Override
  public void initialize(String catalogName, CaseInsensitiveStringMap ignored) {
    Map<String, String> registered = REGISTRY.optionsOf(catalogName);
    if (registered == null) {
      throw new CosmosConfigException(
          "Catalog '"
              + catalogName
              + "' is made by cosmos-spark for its format's reads and writes; do not configure"
              + " 'spark.sql.catalog."
              + catalogName
              + "' yourself. For a SQL catalog, configure "
              + "io.github.cosmosspark.core.catalog.CosmosCassandraCatalog under a name of your own"
              + " (docs/sql.md).");
    }
    this.name = catalogName;
    this.options = new CaseInsensitiveStringMap(registered);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Table loadTable(Identifier ident) {
    Identifier served = provider.extractIdentifier(options);
    if (!Arrays.equals(served.namespace(), ident.namespace())
        || !served.name().equals(ident.name())) {
      // Reachable only by naming this catalog in SQL: it knows one table, its options' own.
      throw new CosmosConfigException(
          "Catalog '"
              + name
              + "' serves only "
              + String.join(".", served.namespace())
              + "."
              + served.name()
              + ", the table of one format(\"cosmoscassandra\") read or write, not "
              + String.join(".", ident.namespace())
              + "."
              + ident.name()
              + ". For SQL, configure the cosmos-spark SQL catalog (docs/sql.md).");
    }
    StructType schema = provider.inferSchema(options);
    return provider.getTable(schema, new Transform[0], options.asCaseSensitiveMap());
  }

  /**
   * Spark asks this only to create a table from a write in ErrorIfExists or Ignore mode (the one
   * place it consults this catalog otherwise than through {@link #loadTable}). Both meanings are
   * for whole tables of files; a Cassandra write is an upsert of rows by primary key, and the
   * notebooks that write without a mode create their table with CQL first. So neither mode is
   * guessed: the write is refused, naming the table, before any row is read.
   */
  @Override
  public boolean tableExists(Identifier ident) {
    String table = ident.namespace().length > 0 ? ident.namespace()[0] + "." + ident.name() : "";
    try {
      loadTable(ident);
    } catch (Exception e) {
      if (!isMissing(e)) {
        throw CosmosCassandraTableProvider.sneakyThrow(e);
      }
      throw new CosmosConfigException(
          "Table "
              + table
              + " does not exist, and this write has save mode ErrorIfExists (Spark's default"
              + " when no mode is given) or Ignore, which cosmos-spark does not take to mean"
              + " 'create the table': a Cassandra table needs its primary key, which a DataFrame"
              + " does not carry. Create the table first (CQL CREATE TABLE, or CREATE TABLE …"
              + " USING cosmoscassandra PARTITIONED BY (…) in the cosmos-spark SQL catalog,"
              + " docs/sql.md), then write with .mode(\"append\"). Nothing was written.",
          e);
    }
    throw new CosmosConfigException(
        "Table "
            + table
            + " exists, and this write has save mode ErrorIfExists (Spark's default when no mode"
            + " is given) or Ignore, which would fail or skip the whole write because the table"
            + " exists. Write with .mode(\"append\"): each row is then written by its primary key,"
            + " replacing a row with the same key and keeping the others (every Cassandra write is"
            + " an upsert). Nothing was written.");
  }

  private static boolean isMissing(Throwable e) {
    // The provider throws Spark's own (checked) exceptions for a missing keyspace or table.
    Throwable t = e;
    while (t != null) {
      if (t instanceof NoSuchTableException || t instanceof NoSuchNamespaceException) {
        return true;
      }
      t = t.getCause();
    }
    return false;
  }

  @Override
  public Identifier[] listTables(String[] namespace) {
    throw notHere("list tables");
  }

  @Override
  public Table createTable(
      Identifier ident, StructType schema, Transform[] partitions, Map<String, String> properties) {
    throw notHere("create a table");
  }

  @Override
  public Table alterTable(Identifier ident, TableChange... changes) {
    throw notHere("alter a table");
  }

  @Override
  public boolean dropTable(Identifier ident) {
    throw notHere("drop a table");
  }

  @Override
  public void renameTable(Identifier oldIdent, Identifier newIdent) {
    throw notHere("rename a table");
  }

  private CosmosConfigException notHere(String what) {
    return new CosmosConfigException(
        "Catalog '"
            + name
            + "' only serves format(\"cosmoscassandra\") reads and writes and cannot "
            + what
            + ". Use the cosmos-spark SQL catalog (docs/sql.md) or CQL.");
  }

  /** The options of each catalog name given out in this JVM: one object, thread-safe. */
  static final class Registry {
    private final Map<Map<String, String>, String> names = new ConcurrentHashMap<>();
    private final Map<String, Map<String, String>> optionsByName = new ConcurrentHashMap<>();
    private final AtomicInteger next = new AtomicInteger();

    String nameFor(Map<String, String> given) {
      Map<String, String> options = Collections.unmodifiableMap(new HashMap<>(given));
      return names.computeIfAbsent(
          options,
          o -> {
            String catalogName = NAME_PREFIX + next.incrementAndGet();
            optionsByName.put(catalogName, o);
            declare(catalogName);
            return catalogName;
          });
    }

    /**
     * Spark's catalog manager finds a catalog's class under {@code spark.sql.catalog.<name>} in the
     * configuration of the session the DataFrame belongs to, which a source is never told (the
     * active session may be another, as on a thread of a pool made earlier). Setting the key in one
     * session would leave the others without it, so the name is declared once for the JVM, as an
     * internal SQL setting whose default is this class: every session, existing or new, resolves
     * it, and no session's configuration changes.
     */
    private static void declare(String catalogName) {
      SQLConf$.MODULE$
          .buildConf("spark.sql.catalog." + catalogName)
          .internal()
          .doc(
              "The catalog of format(\"cosmoscassandra\") reads and writes with one set of options.")
          .stringConf()
          .createWithDefault(FormatCatalog.class.getName());
    }

    Map<String, String> optionsOf(String catalogName) {
      return optionsByName.get(catalogName);
    }
  }
}

package io.github.cosmosspark.core.connection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.spark.connector.cql.CassandraConnectorConf;
import io.github.cosmosspark.core.config.CosmosCassandraConfig;
import io.github.cosmosspark.core.errors.CosmosConfigException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.HashMap;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;

class CosmosConnectionFactoryTest {

  @Test
  void aDeserializedCopyEqualsTheOriginalSoSccSharesTheSession() throws Exception {
    CosmosConnectionFactory factory = new CosmosConnectionFactory();
    Object copy = roundTrip(factory);
    assertEquals(factory, copy);
    assertEquals(factory.hashCode(), copy.hashCode());
  }

  @Test
  void sccIsToldOurKeysSoItMergesThemAsItsOwn() {
    scala.collection.immutable.Set<String> keys = new CosmosConnectionFactory().properties();
    assertTrue(keys.contains("spark.cosmos.cassandra.password"));
    assertTrue(keys.contains("spark.cosmos.cassandra.tls.hostnameVerification"));
  }

  @Test
  void theAuthConfUsesTheFormatsResolvedSettingsAndIgnoresTable() throws Exception {
    Map<String, String> perRead = new HashMap<>();
    perRead.put("account", "acct");
    perRead.put("password", "key-1");
    perRead.put("table", "t1");
    CosmosCassandraConfig config = CosmosCassandraConfig.resolve(perRead, new HashMap<>());
    SparkConf merged = new SparkConf(false);
    for (Map.Entry<String, String> entry : config.encode().entrySet()) {
      merged.set(entry.getKey().toLowerCase(java.util.Locale.ROOT), entry.getValue());
    }
    merged.set("spark.cosmos.cassandra.account", "someone-else");
    merged.set("spark.cosmos.cassandra.table", "t2");

    CosmosAuthConf auth = (CosmosAuthConf) new CosmosAuthConfFactory().authConf(merged);

    assertEquals("acct", auth.config().account());
    assertEquals("key-1", auth.config().password());
    assertEquals(new CosmosAuthConf(config.forConnection()), roundTrip(auth));
  }

  @Test
  void protocolCompressionIsRefusedNamingTheSettingBeforeAnyConnection() {
    SparkConf conf =
        new SparkConf(false)
            .set("spark.cassandra.connection.host", "127.0.0.1")
            .set("spark.cassandra.connection.port", "1")
            .set("spark.cassandra.connection.compression", "LZ4");

    CosmosConfigException refused =
        assertThrows(
            CosmosConfigException.class,
            () -> new CosmosConnectionFactory().createSession(CassandraConnectorConf.apply(conf)));

    assertEquals(
        "spark.cassandra.connection.compression=LZ4 asks for protocol compression, which Azure"
            + " Cosmos DB for Apache Cassandra does not support: it refuses compressed requests."
            + " Remove the setting or set it to NONE.",
        refused.getMessage());
  }

  private static Object roundTrip(Object value) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(value);
    }
    try (ObjectInputStream in =
        new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      return in.readObject();
    }
  }
}

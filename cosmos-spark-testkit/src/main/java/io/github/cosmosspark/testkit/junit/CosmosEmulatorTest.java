package io.github.cosmosspark.testkit.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks a test class that runs against the shared Cosmos emulator (and the Cassandra behind it):
 * parameters of type {@code CosmosEmulator}, {@code CassandraServer}, {@code CqlSession} (to the
 * Cassandra directly) and {@code TestKeyspace} are injected.
 */
@Documented
@Target({ElementType.TYPE, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith({CassandraExtension.class, CosmosEmulatorExtension.class})
public @interface CosmosEmulatorTest {}

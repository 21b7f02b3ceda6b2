package io.github.cosmosspark.core.compat;

import java.util.Map;
import scala.Tuple2;
import scala.collection.mutable.Builder;

/**
 * Java maps as Scala immutable maps, in Java source that compiles against Scala 2.12 and 2.13.
 *
 * <p>Why this exists: the usual {@code JavaConverters...asScala().toMap(Predef.$conforms())} only
 * compiles against 2.12, where {@code toMap}'s evidence is {@code Predef.<:<}; in 2.13 it is the
 * top-level {@code scala.<:<} and {@code $conforms} is a plain function, so no one Java expression
 * fits both. {@code immutable.Map.newBuilder()} and the builder's {@code +=} and {@code result()}
 * have the same Java signatures in both, so one source serves both builds.
 */
public final class ScalaMaps {

  private ScalaMaps() {}

  /** An immutable Scala copy of {@code map}, with the same entries. */
  public static scala.collection.immutable.Map<String, String> toImmutable(
      Map<String, String> map) {
    Builder<Tuple2<String, String>, scala.collection.immutable.Map<String, String>> builder =
        scala.collection.immutable.Map$.MODULE$.newBuilder();
    for (Map.Entry<String, String> entry : map.entrySet()) {
      builder.$plus$eq(new Tuple2<>(entry.getKey(), entry.getValue()));
    }
    return builder.result();
  }
}

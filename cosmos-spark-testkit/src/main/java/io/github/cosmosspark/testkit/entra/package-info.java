/**
 * Microsoft Entra ID for tests: a token issuer of the testkit's own, whose signed access tokens the
 * Cosmos emulator accepts in place of an account key.
 */
package io.github.cosmosspark.testkit.entra;

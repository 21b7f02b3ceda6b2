/**
 * Microsoft Entra ID for tests: a token issuer of the testkit's own, whose signed access tokens the
 * Cosmos emulator accepts in place of an account key, and an HTTPS token endpoint from which
 * Microsoft's client libraries fetch those tokens as they would from Entra.
 */
package io.github.cosmosspark.testkit.entra;

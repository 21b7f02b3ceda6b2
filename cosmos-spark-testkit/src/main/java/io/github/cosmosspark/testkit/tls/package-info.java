/**
 * Certificates made at test time: a throw-away certificate authority and the server certificates it
 * issues, written as PKCS12 key and trust stores for servers and clients.
 */
package io.github.cosmosspark.testkit.tls;

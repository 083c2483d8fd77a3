/**
 * JMH benchmarks, one subpackage per module under test ({@code clock}, {@code billing}); every benchmark class
 * measures its baseline in the same run, so results are reported as ratios. Run:
 * {@code ./mvnw -q -pl benchmarks -am package -DskipTests && java -jar benchmarks/target/benchmarks.jar}.
 */
package dev.dabba.bench;

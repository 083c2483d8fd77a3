/**
 * JMH benchmarks of the clock module against two baselines measured in the same run: a {@code HashMap<String, Long>}
 * clock written the seed's way ({@link dev.dabba.bench.clock.HashMapClock}) and a sorted-map clock as Akka and
 * Voldemort keep one ({@link dev.dabba.bench.clock.SortedMapClock}); and the size simulation
 * ({@link dev.dabba.bench.clock.ClockSizeSimulation}). Results and commands: {@code docs/benchmarks.md}, "Clock".
 */
package dev.dabba.bench.clock;

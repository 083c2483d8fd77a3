/**
 * Billing: tariffs, the exact rating engine, bills, the PostgreSQL bill store and the bill query command.
 *
 * <p>Start with {@link dev.dabba.billing.Bill#compute}, which the stream job calls with one subscriber's records of
 * one cycle in causal order; {@link dev.dabba.billing.BillStore#upsert} keeps the newest version of each bill, and
 * {@link dev.dabba.billing.BillQuery} and {@link dev.dabba.billing.BillCommand} read it back. Money is exact
 * ({@link dev.dabba.billing.Money} in paisa, {@link java.math.BigDecimal} rates) and rounding is a tariff term
 * ({@link dev.dabba.billing.RoundingRule}). Types in {@code dev.dabba.billing.internal} are not part of the API.
 */
package dev.dabba.billing;

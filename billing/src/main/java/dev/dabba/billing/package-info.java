/**
 * Billing: tariffs, the exact rating engine, bills, the PostgreSQL report store, and the ways people read bills.
 *
 * <p>Start with {@link dev.dabba.billing.Bill#compute}, which the stream job calls with one subscriber's records of
 * one cycle in causal order; it rates them with {@link dev.dabba.billing.RatingEngine} (a pure fold) under a
 * {@link dev.dabba.billing.Tariff}, usually read from a tariff file by {@link dev.dabba.billing.TariffFile}.
 * {@link dev.dabba.billing.BillStore} keeps the newest version of each bill with its rating breakdown and the
 * history of its versions; {@link dev.dabba.billing.BillCommand}, {@link dev.dabba.billing.BillsCommand},
 * {@link dev.dabba.billing.RateCommand} and {@link dev.dabba.billing.ServeCommand} (the HTTP API and web page of
 * {@link dev.dabba.billing.BillServer}) read them back. Money is exact ({@link dev.dabba.billing.Money} in paisa,
 * {@link java.math.BigDecimal} prices) and rounding is a tariff term ({@link dev.dabba.billing.RoundingRule}). Types
 * in {@code dev.dabba.billing.internal} are not part of the API.
 */
package dev.dabba.billing;

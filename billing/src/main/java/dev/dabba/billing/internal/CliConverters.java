package dev.dabba.billing.internal;

import dev.dabba.billing.BillFilter;
import dev.dabba.billing.BillFormat;
import dev.dabba.billing.BillStatus;
import dev.dabba.billing.Money;
import dev.dabba.billing.BillStore;
import dev.dabba.billing.BillingCycle;
import dev.dabba.record.Msisdn;
import java.time.YearMonth;
import java.util.Locale;
import org.postgresql.Driver;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Picocli converters for the billing command line; each rejects bad input with the domain type's message, which
 * picocli prefixes with the option's name ({@code Invalid value for option '--cycle': ...}).
 */
public final class CliConverters {

    private CliConverters() {
    }

    /** Converts an MSISDN in any accepted spelling ({@code +91-9876543210}). */
    public static final class MsisdnConverter implements ITypeConverter<Msisdn> {
        @Override
        public Msisdn convert(String value) {
            try {
                return Msisdn.of(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** Converts {@code YYYY-MM}. */
    public static final class CycleConverter implements ITypeConverter<YearMonth> {
        @Override
        public YearMonth convert(String value) {
            try {
                return BillingCycle.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** Converts an ISO-8601 duration that must be positive ({@code PT2M}), as timeouts are. */
    public static final class PositiveDurationConverter implements ITypeConverter<java.time.Duration> {
        @Override
        public java.time.Duration convert(String value) {
            java.time.Duration d;
            try {
                d = java.time.Duration.parse(value);
            } catch (java.time.format.DateTimeParseException e) {
                throw new TypeConversionException("must be an ISO-8601 duration such as PT2M, was '" + value + "'");
            }
            if (d.isNegative() || d.isZero()) {
                throw new TypeConversionException("must be positive, was '" + d + "'");
            }
            return d;
        }
    }

    /** Converts {@code PROVISIONAL} or {@code FINAL}, in any case. */
    public static final class StatusConverter implements ITypeConverter<BillStatus> {
        @Override
        public BillStatus convert(String value) {
            try {
                return BillStatus.valueOf(value.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException("status must be PROVISIONAL or FINAL, was '" + value + "'");
            }
        }
    }

    /** Converts a rupee amount such as {@code 21.90}; negative amounts are refused. */
    public static final class MoneyConverter implements ITypeConverter<Money> {
        @Override
        public Money convert(String value) {
            try {
                Money m = Money.parse(value);
                if (m.isNegative()) {
                    throw new TypeConversionException("amount must not be negative, was '" + value + "'");
                }
                return m;
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** Converts a subscriber number prefix such as {@code +91-98} to its canonical form {@code +9198}. */
    public static final class PrefixConverter implements ITypeConverter<String> {
        @Override
        public String convert(String value) {
            try {
                return BillFilter.canonicalPrefix(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** Converts {@code table}, {@code json} or {@code csv}. */
    public static final class FormatConverter implements ITypeConverter<BillFormat> {
        @Override
        public BillFormat convert(String value) {
            try {
                return BillFormat.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** Accepts a schema name the store accepts. */
    public static final class SchemaConverter implements ITypeConverter<String> {
        @Override
        public String convert(String value) {
            try {
                return BillStore.requireValidSchema(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** Accepts a PostgreSQL JDBC URL, {@code jdbc:postgresql://HOST:PORT/DATABASE}. */
    public static final class JdbcUrlConverter implements ITypeConverter<String> {
        @Override
        public String convert(String value) {
            if (!value.startsWith("jdbc:postgresql:") || Driver.parseURL(value, null) == null) {
                throw new TypeConversionException("jdbc url must look like jdbc:postgresql://HOST:PORT/DATABASE, was '"
                        + value + "'");
            }
            return value;
        }
    }
}

package io.demandcast.model.cli;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/** The {@code --seed} option of {@code train} and {@code backtest}: the seed the trainer starts from. */
public final class SeedOption {

    /** The seed when none is given: the LSTM's own default ({@code LstmConfig.defaults}). */
    public static final long DEFAULT_SEED = 42L;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "" + DEFAULT_SEED, converter = SeedConverter.class,
            description = "Seed of the model's initial weights and training order (default: ${DEFAULT-VALUE})."
                    + " With an ensemble the members' seeds derive from it. Training on the CPU is not bit for bit"
                    + " reproducible, so the same seed can still give slightly different models.")
    long seed = DEFAULT_SEED;

    static final class SeedConverter implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            try {
                return Long.parseLong(value.trim());
            } catch (NumberFormatException e) {
                throw new TypeConversionException("expected a whole number (64-bit), e.g. 7; got '" + value + "'");
            }
        }
    }
}

package io.nanofleet.llm;

import java.math.BigDecimal;
import java.util.List;
import java.util.Optional;

/**
 * A {@link ProviderChain} answer and where it came from.
 *
 * @param provider the {@code name} of the provider that answered
 * @param model the model that answered, as that provider named it
 * @param response the answer
 * @param attempts HTTP requests made to the answering provider (1 when it answered at once)
 * @param skipped the providers before it that failed or were cooling down, in chain order
 * @param cost what the answer cost at the provider's configured prices; empty without prices or usage
 */
public record ChainResult(String provider, String model, ChatResponse response, int attempts,
                          List<ProviderFailure> skipped, Optional<BigDecimal> cost) {
    public ChainResult {
        skipped = List.copyOf(skipped);
    }

    public String text() {
        return response.text();
    }

    public Optional<Usage> usage() {
        return response.usage();
    }
}

package dev.sessionops.claude.gateway;

import java.util.List;
import java.util.Locale;

/**
 * The gateway's estimate of what a response cost, at Anthropic's list prices per million input tokens; output costs 5
 * times that, writing the prompt cache 1.25 times, reading it 0.1 times (the ratios every current model has; the CLI
 * 2.1.330 computes the same figures for these models). A model it does not know is priced as the dearest one, so a
 * budget errs on the side of stopping. The token counts are the measurement; this price is for budgets only.
 */
public final class ModelPrices {
    /** Input price in US dollars per million tokens, by the first fragment the model id contains. */
    record Price(String fragment, double inputPerMillion) {
    }

    static final List<Price> PRICES = List.of(
            new Price("opus-4-5", 5), new Price("opus-4.5", 5),
            new Price("opus", 15),
            new Price("sonnet", 3),
            new Price("3-5-haiku", 0.8), new Price("3-haiku", 0.25),
            new Price("haiku", 1));
    static final double UNKNOWN_INPUT_PER_MILLION = 15;

    private ModelPrices() {
    }

    public static double inputPerMillion(String model) {
        String id = model == null ? "" : model.toLowerCase(Locale.ROOT);
        return PRICES.stream().filter(p -> id.contains(p.fragment())).findFirst().map(Price::inputPerMillion)
                .orElse(UNKNOWN_INPUT_PER_MILLION);
    }

    public static double costUsd(ResponseUsage usage) {
        ResponseUsage u = usage.orZero();
        double input = inputPerMillion(u.model()) / 1_000_000;
        return u.inputTokens() * input + u.outputTokens() * input * 5 + u.cacheCreationInputTokens() * input * 1.25
                + u.cacheReadInputTokens() * input * 0.1;
    }
}
